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

    // Seconds, from 100 µs (a warm call on one machine) to 10 s.
    private static readonly InstrumentAdvice<double> s_durationBuckets = new()
    {
        HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    };

    public static readonly ActivitySource Source = new(WoolDiagnostics.ActivitySourceName, s_version);

    public static readonly Meter Meter = new(WoolDiagnostics.MeterName, s_version);

    public static readonly Counter<long> ClientCalls = Meter.CreateCounter<long>("wool.client.calls", "{call}", "Routine calls this process made, by routine and outcome.");

    public static readonly Histogram<double> ClientDuration = Meter.CreateHistogram("wool.client.call.duration", "s", "How long routine calls took, seen by the caller (a stream: its whole life).", tags: null, s_durationBuckets);

    public static readonly UpDownCounter<long> ClientActive = Meter.CreateUpDownCounter<long>("wool.client.calls.active", "{call}", "Routine calls (and open streams) this process is waiting on.");

    public static readonly Counter<long> ClientItems = Meter.CreateCounter<long>("wool.client.stream.items", "{item}", "Stream items this process received.");

    public static readonly Counter<long> ClientSent = Meter.CreateCounter<long>("wool.client.sent", "By", "Serialized call bytes (arguments, target, captured state) this process sent.");

    public static readonly Counter<long> ClientReceived = Meter.CreateCounter<long>("wool.client.received", "By", "Serialized result, item and exception bytes this process received.");

    public static readonly Counter<long> ClientRefusals = Meter.CreateCounter<long>("wool.client.refusals", "{refusal}", "Calls a worker refused before running them, which moved on to the next worker.");

    public static readonly Counter<long> WorkersLost = Meter.CreateCounter<long>("wool.client.workers.lost", "{worker}", "Worker connections lost unexpectedly (the worker died or the network broke).");

    public static readonly Counter<long> ServerCalls = Meter.CreateCounter<long>("wool.server.calls", "{call}", "Routine calls this worker served, by routine and outcome.");

    public static readonly Histogram<double> ServerDuration = Meter.CreateHistogram("wool.server.call.duration", "s", "How long this worker ran routine calls (a stream: from opening to its end).", tags: null, s_durationBuckets);

    public static readonly UpDownCounter<long> ServerActive = Meter.CreateUpDownCounter<long>("wool.server.calls.active", "{call}", "Routine calls (and open streams) this worker is running.");

    public static readonly Counter<long> ServerItems = Meter.CreateCounter<long>("wool.server.stream.items", "{item}", "Stream items this worker produced.");

    public static readonly Counter<long> ServerReceived = Meter.CreateCounter<long>("wool.server.received", "By", "Serialized call bytes this worker received.");

    public static readonly Counter<long> ServerSent = Meter.CreateCounter<long>("wool.server.sent", "By", "Serialized result, item and exception bytes this worker sent.");

    public static readonly Counter<long> ServerRefusals = Meter.CreateCounter<long>("wool.server.refusals", "{refusal}", "Calls this worker refused before running them.");

    /// <summary>Whether anything listens to a caller's per-call instruments or spans.</summary>
    public static bool ClientEnabled
        => Source.HasListeners() || ClientCalls.Enabled || ClientDuration.Enabled || ClientActive.Enabled || ClientItems.Enabled || ClientSent.Enabled || ClientReceived.Enabled;

    /// <summary>Whether anything listens to a worker's per-call instruments or spans.</summary>
    public static bool ServerEnabled
        => Source.HasListeners() || ServerCalls.Enabled || ServerDuration.Enabled || ServerActive.Enabled || ServerItems.Enabled || ServerReceived.Enabled || ServerSent.Enabled;

    /// <summary>The refusal tag's value for a worker's answer.</summary>
    public static string Refusal(bool transient, bool otherBuild) => otherBuild ? "other_build" : transient ? "transient" : "permanent";
}
