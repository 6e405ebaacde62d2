using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Wool.Telemetry;

namespace Wool.Benchmarks;

/// <summary>
/// What telemetry costs a call (<c>--telemetry</c>): sequential latency and 64-caller throughput
/// with nobody listening, against the same with OpenTelemetry's SDK listening on both sides
/// (every call traced and metered, spans batched to an exporter that drops them), paired in
/// alternating blocks in one run. Two single-worker pools: the quiet one's worker has no
/// telemetry; the traced one's worker runs <see cref="BenchmarkWorkerTelemetry"/>. The caller's
/// SDK exists only during the traced blocks, so the quiet blocks have no listener at all.
/// </summary>
internal static class TelemetryFigures
{
    // More samples in shorter blocks than the other figures: the difference sought is a few
    // microseconds, and this machine's speed drifts within a second.
    private const int SequentialCalls = 20_000;
    private const int Block = 100;
    private const int Callers = 64;
    private const int CallsPerCaller = 500;
    private const int Rounds = 5;
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(3);

    public static async Task<Figure[]> RunAsync()
    {
        await using var quiet = new WorkerPool(spawn: 1);
        await using var traced = new WorkerPool(spawn: 1, options: WorkerPoolOptions.Default with { WorkerStartup = typeof(BenchmarkWorkerTelemetry) });
        await Task.WhenAll(quiet.WaitForWorkersAsync(), traced.WaitForWorkersAsync());
        Func<int, Task> On(RoutinePool pool) => async i =>
        {
            RoutinePool.UseInThisFlow(pool);
            Measure.Check(await Figures.Add(i, 1) == i + 1, "telemetry");
        };

        await Measure.WarmUpAsync(WarmUp, On(quiet));
        using (Listening())
        {
            await Measure.WarmUpAsync(WarmUp, On(traced));
        }

        var quietLatencies = new List<double>();
        var tracedLatencies = new List<double>();
        for (int done = 0; done < SequentialCalls; done += Block)
        {
            quietLatencies.AddRange(await Measure.LatenciesAsync(Block, On(quiet)));
            using (Listening())
            {
                tracedLatencies.AddRange(await Measure.LatenciesAsync(Block, On(traced)));
            }
        }

        var quietRates = new List<double>();
        var tracedRates = new List<double>();
        for (int round = 0; round < Rounds; round++)
        {
            quietRates.Add(await Measure.ThroughputAsync(Callers, CallsPerCaller, On(quiet)));
            using (Listening())
            {
                tracedRates.Add(await Measure.ThroughputAsync(Callers, CallsPerCaller, On(traced)));
            }
        }

        double[] a = [.. quietLatencies.Order()];
        double[] b = [.. tracedLatencies.Order()];
        return
        [
            new Figure("telemetry: sequential Add p50, nobody listening", Measure.Percentile(a, 50), "us"),
            new Figure("telemetry: sequential Add p50, OpenTelemetry on", Measure.Percentile(b, 50), "us"),
            new Figure("telemetry: sequential Add p90, nobody listening", Measure.Percentile(a, 90), "us"),
            new Figure("telemetry: sequential Add p90, OpenTelemetry on", Measure.Percentile(b, 90), "us"),
            new Figure($"telemetry: {Callers} callers, nobody listening", Median(quietRates), "calls/s"),
            new Figure($"telemetry: {Callers} callers, OpenTelemetry on", Median(tracedRates), "calls/s"),
        ];
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    /// <summary>The caller's SDK: tracing (every call sampled) and metrics, until disposed.</summary>
    private static IDisposable Listening() => new Providers(
        BenchmarkWorkerTelemetry.Tracing(Sdk.CreateTracerProviderBuilder()).Build(),
        BenchmarkWorkerTelemetry.Metrics(Sdk.CreateMeterProviderBuilder()).Build());

    private sealed class Providers(TracerProvider tracing, MeterProvider metrics) : IDisposable
    {
        public void Dispose()
        {
            tracing.Dispose();
            metrics.Dispose();
        }
    }
}

/// <summary>The traced pool's worker: OpenTelemetry's SDK on Wool's source and meter, exporting nowhere.</summary>
public sealed class BenchmarkWorkerTelemetry : IWorkerStartup
{
    public void ConfigureServices(IServiceCollection services)
        => services.AddOpenTelemetry().WithTracing(t => Tracing(t)).WithMetrics(m => Metrics(m));

    internal static TracerProviderBuilder Tracing(TracerProviderBuilder builder)
        => builder.AddSource(WoolDiagnostics.ActivitySourceName).AddProcessor(new BatchActivityExportProcessor(new Dropped<Activity>()));

    internal static MeterProviderBuilder Metrics(MeterProviderBuilder builder)
        => builder.AddMeter(WoolDiagnostics.MeterName).AddReader(new PeriodicExportingMetricReader(new Dropped<Metric>(), exportIntervalMilliseconds: 1000));

    private sealed class Dropped<T>() : BaseExporter<T>
        where T : class
    {
        public override ExportResult Export(in Batch<T> batch) => ExportResult.Success;
    }
}
