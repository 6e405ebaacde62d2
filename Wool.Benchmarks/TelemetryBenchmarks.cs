using BenchmarkDotNet.Attributes;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Wool.Telemetry;
using Wool.Workers.Protocol;

namespace Wool.Benchmarks;

/// <summary>
/// What a call pays for telemetry when nobody listens: the caller's check and trace-context write,
/// and the worker's trace-context read and check. Run without any listener in the process.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(InProcessConfig))]
public class TelemetryBenchmarks
{
    private readonly Call _call = new();

    [Benchmark(Description = "caller: span/metrics check + trace context write, nobody listening")]
    public bool Caller()
    {
        ClientCallTelemetry? telemetry = ClientCallTelemetry.Start("Bench.Add", streaming: false);
        TraceFrames.Write(_call);
        telemetry?.End(null);
        return telemetry is null;
    }

    [Benchmark(Description = "worker: trace context read + span/metrics check, nobody listening")]
    public bool Worker()
    {
        var (parent, _) = TraceFrames.Read(_call);
        return ServerCallTelemetry.IsWanted(parent);
    }
}

/// <summary>The same path with OpenTelemetry's SDK listening (every call sampled, spans batched to a dropping exporter).</summary>
[MemoryDiagnoser]
[Config(typeof(InProcessConfig))]
public class TelemetryListeningBenchmarks
{
    private readonly Call _call = new();
    private IDisposable? _tracing;
    private IDisposable? _metrics;
    private Call _traced = new();

    private InProcessPool _pool = null!;

    [GlobalSetup]
    public void Setup()
    {
        // Synchronous: the pool must be ambient in the thread's context that runs the benchmarks.
        _pool = new InProcessPool();
        _tracing = BenchmarkWorkerTelemetry.Tracing(OpenTelemetry.Sdk.CreateTracerProviderBuilder()).Build();
        _metrics = BenchmarkWorkerTelemetry.Metrics(OpenTelemetry.Sdk.CreateMeterProviderBuilder()).Build();
        ClientCallTelemetry? telemetry = ClientCallTelemetry.Start("Bench.Add", streaming: false);
        TraceFrames.Write(_traced);
        telemetry?.End(null);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _pool.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _tracing?.Dispose();
        _metrics?.Dispose();
    }

    [Benchmark(Description = "woven stub, in-process round trip, SDK listening")]
    public Task<int> WovenCall() => WovenAdd(1, 2);

    [Routine]
    private static async Task<int> WovenAdd(int x, int y)
    {
        await Task.CompletedTask;
        return x + y;
    }

    [Benchmark(Description = "caller: client span + metrics + trace context write, SDK listening")]
    public bool Caller()
    {
        ClientCallTelemetry? telemetry = ClientCallTelemetry.Start("Bench.Add", streaming: false);
        _call.Traceparent = "";
        TraceFrames.Write(_call);
        telemetry?.Sent(20);
        telemetry?.Received(4);
        telemetry?.End(null);
        return telemetry is null;
    }

    [Benchmark(Description = "worker: trace context read + server span + metrics, SDK listening")]
    public bool Worker()
    {
        var (parent, baggage) = TraceFrames.Read(_traced);
        ServerCallTelemetry? telemetry = ServerCallTelemetry.Start("Bench.Add", streaming: false, 20, parent, baggage, enter: true);
        telemetry?.Enter();
        telemetry?.Sent(4);
        telemetry?.End(null);
        return telemetry is null;
    }
}
