namespace Wool.Tests.Invalid;

// Each line marked "// WOOLnnn" must be the line the diagnostic points at.
public abstract class InvalidRoutines
{
    [Routine]
    public static Task<int> NotAsync(int x) => Task.FromResult(x); // WOOL001

    [Routine]
    public static int WrongReturnType(int x) => x; // WOOL002

    [Routine]
    public static async void AsyncVoid() // WOOL003
    {
        await Task.Yield();
    }

    [Routine]
    public static Task RefParameter(ref int x) => Task.CompletedTask; // WOOL001 WOOL004

    [Routine]
    public static Task SpanParameter(Span<int> values) => Task.CompletedTask; // WOOL001 WOOL005

    [Routine]
    public static unsafe Task PointerParameter(int* values) => Task.CompletedTask; // WOOL001 WOOL005

    [Routine]
    public abstract Task<int> Abstract(int x); // WOOL006

    [Routine]
    public static async Task TwoTokens(CancellationToken first, CancellationToken second) // WOOL007
    {
        await Task.Delay(1, first);
    }

    [Routine(Prefetch = -1)]
    public static async IAsyncEnumerable<int> NegativePrefetch() // WOOL009
    {
        await Task.Yield();
        yield return 1;
    }

    [Routine(Prefetch = 8)]
    public static async Task<int> PrefetchWithoutStream() // WOOL010
    {
        await Task.Yield();
        return 1;
    }

    // Braces on the signature's line: the diagnostics still point at the signature, not the attribute.
    [Routine]
    public static async void AsyncVoidBraceOnItsLine() { // WOOL003
        await Task.Yield();
    }

    [Routine]
    public static async Task TwoTokensBraceOnItsLine(CancellationToken first, CancellationToken second) { // WOOL007
        await Task.Delay(1, first);
    }

    public static async Task<int> Valid(int x)
    {
        await Task.Yield();
        return x;
    }
}

/// <summary>A routine meant to be overridden.</summary>
public class BaseService
{
    [Routine]
    public virtual async Task<int> Compute(int x)
    {
        await Task.Yield();
        return x;
    }
}

/// <summary>Overrides the routine without [Routine]: calls reaching it would run in the caller (WOOL012, a warning).</summary>
public sealed class DerivedService : BaseService
{
    public override async Task<int> Compute(int x)
    {
        await Task.Yield();
        return x + 1;
    }
}

/// <summary>An interface member marked [Routine] has no body to move; the implementations must be marked.</summary>
public interface IInvalidService
{
    [Routine]
    Task<int> Compute(int x); // WOOL006
}
