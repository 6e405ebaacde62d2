using Wool.Routines;

namespace Wool;

/// <summary>
/// Where the routines of an async flow run. Creating a pool makes it ambient for the flow that
/// created it (everything that flow awaits, including <c>Task.Run</c> and <c>Task.WhenAll</c>
/// children) until it is disposed; pools nest and the innermost wins.
/// </summary>
/// <remarks>
/// <para>
/// Lifetime: create it with <c>await using</c>. Disposal restores the pool that was ambient
/// before, if this pool is still the ambient one, and makes every later call through it fail
/// with <see cref="RoutineInvocationException"/>.
/// </para>
/// <para>Threading: all members are thread-safe.</para>
/// </remarks>
public abstract class RoutinePool : IAsyncDisposable
{
    private static readonly AsyncLocal<RoutinePool?> s_current = new();

    private RoutinePool? _previous;
    private int _disposed;

    private protected RoutinePool()
    {
    }

    /// <summary>The pool routines called from the current async flow run on, or <see langword="null"/>.</summary>
    public static RoutinePool? Current => s_current.Value;

    /// <summary>Whether <see cref="DisposeAsync"/> has been called.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>
    /// Stops using this pool: it is no longer ambient in the flow that created it, and calls that
    /// still reach it fail with a <see cref="RoutineInvocationException"/>.
    /// </summary>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return default;
        }

        // Synchronous for the same reason as in the constructor.
        if (s_current.Value == this)
        {
            s_current.Value = _previous;
        }

        GC.SuppressFinalize(this);
        return DisposeCoreAsync();
    }

    /// <summary>The ambient pool for a call of <paramref name="routine"/>; throws if there is none usable.</summary>
    internal static RoutinePool For(Routine routine)
    {
        RoutinePool? pool = s_current.Value;
        if (pool is null)
        {
            throw new RoutineInvocationException(
                $"Routine '{routine.Name}' was called with no worker pool in scope. " +
                "Create one around the call with 'await using var pool = new WorkerPool();' " +
                "(or 'new InProcessPool()' in unit tests).");
        }

        if (pool.IsDisposed)
        {
            throw new RoutineInvocationException(
                $"Routine '{routine.Name}' was called through a worker pool that has been disposed. " +
                "Keep the pool alive (await using) until every routine call in its scope has completed.");
        }

        return pool;
    }

    /// <summary>
    /// Makes this pool ambient for the creator's flow. Called last by constructors, once the pool
    /// is valid, and synchronously: an AsyncLocal written inside an async method would not flow
    /// back out to the creator.
    /// </summary>
    private protected void EnterScope()
    {
        _previous = s_current.Value;
        s_current.Value = this;
    }

    /// <summary>Makes <paramref name="pool"/> ambient for the rest of the calling flow (a worker, for each call it runs).</summary>
    internal static void UseInThisFlow(RoutinePool pool) => s_current.Value = pool;

    /// <summary>Runs one call and returns its serialized outcome.</summary>
    private protected abstract ValueTask<RoutineReply> InvokeCoreAsync(RoutineRequest request, CancellationToken cancellationToken);

    /// <summary>Opens one streaming call.</summary>
    private protected abstract IRoutineStream OpenStreamCore(RoutineRequest request, CancellationToken cancellationToken);

    /// <summary>Releases what the pool holds (worker processes, connections).</summary>
    private protected abstract ValueTask DisposeCoreAsync();

    internal ValueTask<RoutineReply> InvokeAsync(RoutineRequest request, CancellationToken cancellationToken)
        => InvokeCoreAsync(request, cancellationToken);

    internal IRoutineStream OpenStream(RoutineRequest request, CancellationToken cancellationToken)
        => OpenStreamCore(request, cancellationToken);
}
