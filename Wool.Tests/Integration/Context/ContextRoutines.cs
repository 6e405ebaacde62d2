namespace Wool.Tests.Integration.Context;

public static class ContextVars
{
    public static readonly WoolContextVar<string> Tenant = new("test.tenant", "unknown");

    public static readonly WoolContextVar<string> RequestId = new("test.request-id");

    public static readonly WoolContextVar<Fragile> Fragile = new("test.fragile");

    public static readonly WoolContextVar<Func<int>> Callback = new("test.callback");
}

/// <summary>Declared only by routines on workers: the worker has not loaded it when the value arrives.</summary>
public static class LateVars
{
    public static readonly WoolContextVar<string> Region = new("test.late-region");
}

/// <summary>A value that serializes anywhere but cannot be rebuilt on a worker process: its contract's constructor throws there.</summary>
[MessagePack.MessagePackObject]
public sealed class Fragile
{
    [MessagePack.SerializationConstructor]
    public Fragile(int value)
    {
        Value = Environment.GetCommandLineArgs().Contains("--exit-with-parent")
            ? throw new InvalidOperationException("Fragile values cannot be rebuilt on a worker.")
            : value;
    }

    [MessagePack.Key(0)]
    public int Value { get; }
}

internal static class ContextRoutines
{
    [Routine]
    public static async Task<List<string>> Outer(RemoteHop hop) => await ParityScenarios.Outer(hop);

    [Routine]
    public static async Task<List<string>> Inner(RemoteHop hop, string label) => await ParityScenarios.Inner(hop, label);

    [Routine]
    public static async IAsyncEnumerable<string> Steps(RemoteHop hop)
    {
        await foreach (string step in ParityScenarios.Steps(hop))
        {
            yield return step;
        }
    }

    /// <summary>Reads the tenant here and two hops further: (this hop, next hop, the one after).</summary>
    [Routine]
    public static async Task<string[]> TenantAcrossHops(int hops)
    {
        string here = $"{ContextVars.Tenant.Value}@{Environment.ProcessId}";
        return hops == 0 ? [here] : [here, .. await TenantAcrossHops(hops - 1)];
    }

    [Routine]
    public static async Task<string> Describe()
    {
        await Task.Yield();
        return $"tenant={ContextVars.Tenant.Value}, tenant-set={ContextVars.Tenant.TryGetValue(out _)}, request={(ContextVars.RequestId.TryGetValue(out string? id) ? id : "unset")}";
    }

    [Routine]
    public static async Task<(string Before, string After)> ReadTwice(int delayMilliseconds)
    {
        string before = ContextVars.RequestId.Value;
        await Task.Delay(delayMilliseconds);
        return (before, ContextVars.RequestId.Value);
    }

    [Routine]
    public static async Task<string> ReadLateRegion()
    {
        await Task.Yield();
        return LateVars.Region.Value;
    }

    [Routine]
    public static async Task<string> ReadFragile()
    {
        await Task.Yield();
        return ContextVars.Fragile.TryGetValue(out var fragile) ? $"value {fragile.Value}" : "unset";
    }

    [Routine]
    public static async Task<string> IgnoreFragile()
    {
        await Task.Yield();
        return "result delivered";
    }

    [Routine]
    public static async Task<(double? Timeout, int ProcessId)> ReadDispatchTimeout()
    {
        await Task.Yield();
        return (WoolContext.CurrentDispatchTimeout?.TotalMilliseconds, Environment.ProcessId);
    }

    [Routine]
    public static async Task<double?> ReadDispatchTimeoutOneHopFurther() => (await ReadDispatchTimeout()).Timeout;
}
