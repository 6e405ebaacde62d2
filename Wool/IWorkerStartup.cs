using Microsoft.Extensions.DependencyInjection;

namespace Wool;

/// <summary>
/// Configures a worker process's own services before it serves: an OpenTelemetry exporter, a
/// logging provider, anything its host should run. Name the implementation once in the application
/// (<c>[assembly: WorkerStartup(typeof(MyWorkerStartup))]</c>): the worker processes its pools spawn
/// run it, and a durable worker runs it with <c>--startup "MyApp.MyWorkerStartup, MyApp"</c>
/// (<c>WOOL_STARTUP</c>).
/// </summary>
/// <remarks>
/// The type needs a public parameterless constructor. <see cref="ConfigureServices"/> runs once, in
/// the worker process, before the worker listens; what it throws stops the worker with its message
/// (a spawning pool reports it). A worker an application hosts (<c>AddWoolWorker</c>) uses the
/// application's own services instead.
/// </remarks>
/// <example>
/// <code>
/// [assembly: WorkerStartup(typeof(Telemetry))]
///
/// sealed class Telemetry : IWorkerStartup
/// {
///     public void ConfigureServices(IServiceCollection services) => services.AddOpenTelemetry()
///         .WithTracing(t => t.AddSource(WoolDiagnostics.ActivitySourceName).AddOtlpExporter())
///         .WithMetrics(m => m.AddMeter(WoolDiagnostics.MeterName).AddOtlpExporter());
/// }
/// </code>
/// </example>
public interface IWorkerStartup
{
    /// <summary>Adds services to the worker process's host.</summary>
    /// <param name="services">The worker's services (its logging included: <c>services.AddLogging(…)</c>).</param>
    void ConfigureServices(IServiceCollection services);
}
