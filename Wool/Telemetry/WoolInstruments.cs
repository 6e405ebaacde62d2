using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Wool.Telemetry;

/// <summary>
/// Wool's one <see cref="ActivitySource"/> and one <see cref="Meter"/>, with every instrument,
/// created once per process. Callers' instruments are <c>wool.client.*</c>, workers'
/// <c>wool.server.*</c>; <c>Telemetry/README.md</c> lists them with their tags. Thread-safe.
/// </summary>
internal static class WoolInstruments
{
    /// <summary>Tag: the routine's name (OpenTelemetry's RPC method).</summary>
    public const string RoutineTag = "rpc.method";

    /// <summary>Tag: how a call ended (see <see cref="CallOutcomes"/>).</summary>
    public const string OutcomeTag = "wool.outcome";

    /// <summary>Tag: why a worker refused a call (<c>other_build</c>, <c>transient</c> or <c>permanent</c>).</summary>
    public const string RefusalTag = "wool.refusal";

    /// <summary>Tag: a pool's workers by state (<c>connected</c>, <c>refused</c>: failed authentication).</summary>
    public const string WorkerStateTag = "wool.worker.state";

    private static readonly string? s_version = typeof(WoolInstruments).Assembly.GetName().Version?.ToString(3);

    public static readonly ActivitySource Source = new(WoolDiagnostics.ActivitySourceName, s_version);

    public static readonly Meter Meter = new(WoolDiagnostics.MeterName, s_version);

    /// <summary>The caller's per-call instruments, <c>wool.client.*</c>.</summary>
    public static readonly CallInstruments Client = new(Meter, "client", "this process", "made");

    /// <summary>The worker's per-call instruments, <c>wool.server.*</c>.</summary>
    public static readonly CallInstruments Server = new(Meter, "server", "this worker", "served");

    public static readonly Counter<long> ClientRefusals = Meter.CreateCounter<long>("wool.client.refusals", "{refusal}", "Calls a worker refused before running them, which moved on to the next worker.");

    public static readonly Counter<long> WorkersLost = Meter.CreateCounter<long>("wool.client.workers.lost", "{worker}", "Worker connections lost unexpectedly (the worker died or the network broke).");

    public static readonly Counter<long> ServerRefusals = Meter.CreateCounter<long>("wool.server.refusals", "{refusal}", "Calls this worker refused before running them.");

    /// <summary>The refusal tag's value for a worker's answer.</summary>
    public static string Refusal(bool transient, bool otherBuild) => otherBuild ? "other_build" : transient ? "transient" : "permanent";
}
