using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Wool.Admission;
using Wool.Telemetry;

namespace Wool.Tests.Integration.Telemetry;

/// <summary>
/// What a user's worker startup does to export telemetry, with exporters that write files this
/// test reads: OpenTelemetry's SDK, Wool's source and meter, in the worker process.
/// </summary>
public sealed class TelemetryWorkerStartup : IWorkerStartup
{
    public void ConfigureServices(IServiceCollection services)
    {
        string folder = TelemetryFiles.Folder ?? throw new InvalidOperationException($"{TelemetryFiles.FolderVariable} is not set.");
        services.AddOpenTelemetry()
            .WithTracing(tracing => tracing
                .AddSource(WoolDiagnostics.ActivitySourceName)
                .AddProcessor(new SimpleActivityExportProcessor(new SpanFileExporter(TelemetryFiles.Spans(folder, Environment.ProcessId)))))
            .WithMetrics(metrics => metrics
                .AddMeter(WoolDiagnostics.MeterName)
                .AddReader(new PeriodicExportingMetricReader(new MetricFileExporter(TelemetryFiles.Metrics(folder, Environment.ProcessId)), exportIntervalMilliseconds: 100)));
    }
}

/// <summary>A startup that fails: the worker must not start, and must say why.</summary>
public sealed class FailingWorkerStartup : IWorkerStartup
{
    public void ConfigureServices(IServiceCollection services) => throw new InvalidOperationException("the exporter's endpoint is not configured");
}

/// <summary>A startup the worker cannot create.</summary>
public sealed class StartupWithArguments(string endpoint) : IWorkerStartup
{
    public void ConfigureServices(IServiceCollection services) => _ = endpoint;
}

/// <summary>
/// Refuses the first call of <see cref="TelemetryRoutines.Refusable"/> that reaches any worker of
/// the test (a marker file decides which), so the call moves to the next worker exactly once.
/// </summary>
public sealed class RefuseFirstRefusable : IAdmissionPolicy
{
    public bool Admit(AdmissionRequest request)
    {
        if (!request.Routine.Contains(nameof(TelemetryRoutines.Refusable), StringComparison.Ordinal) || TelemetryFiles.Folder is not { } folder)
        {
            return true;
        }

        try
        {
            using FileStream marker = new(Path.Combine(folder, "refused"), FileMode.CreateNew);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }
}
