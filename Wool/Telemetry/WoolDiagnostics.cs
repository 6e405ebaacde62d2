namespace Wool.Telemetry;

/// <summary>
/// The names under which Wool reports traces and metrics, for OpenTelemetry
/// (<c>.AddSource(WoolDiagnostics.ActivitySourceName)</c>, <c>.AddMeter(WoolDiagnostics.MeterName)</c>)
/// and <c>dotnet-counters monitor --counters Wool</c>.
/// </summary>
/// <remarks>
/// <para>
/// Wool uses <c>System.Diagnostics</c> only (<see cref="System.Diagnostics.ActivitySource"/>,
/// <see cref="System.Diagnostics.Metrics.Meter"/>): with nobody listening it records nothing and
/// allocates nothing per call. A caller emits a client span per call (a stream: one span for its
/// whole life) and its callers' metrics; a worker emits a server span per call it serves and its
/// workers' metrics. W3C trace context and baggage travel inside each call, so a tree of nested
/// calls over several processes is one trace. The instruments are listed in <c>Telemetry/README.md</c>.
/// </para>
/// <para>A worker process reports to whatever its own process configures: see <see cref="IWorkerStartup"/>.</para>
/// </remarks>
public static class WoolDiagnostics
{
    /// <summary>The name of Wool's <see cref="System.Diagnostics.ActivitySource"/>: <c>Wool</c>.</summary>
    public const string ActivitySourceName = "Wool";

    /// <summary>The name of Wool's <see cref="System.Diagnostics.Metrics.Meter"/>: <c>Wool</c>.</summary>
    public const string MeterName = "Wool";
}
