using BenchmarkDotNet.Attributes;
using Wool.Routines;
using Wool.Serialization;

namespace Wool.Benchmarks;

/// <summary>
/// The cost Wool adds to a call before any transport: serializing the call at the caller,
/// deserializing it at the worker, and the whole in-process round trip through a woven stub
/// (serialize, find, invoke, serialize the result, deserialize it) against a plain local call.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(InProcessConfig))]
public class CallPathBenchmarks
{
    private Routine _add = null!;
    private byte[] _payload = null!;
    private InProcessPool _pool = null!;

    [GlobalSetup]
    public void Setup()
    {
        // Synchronous on purpose: the pool must be ambient in the thread's context that runs the
        // benchmarks, and an AsyncLocal set inside an async method does not flow back out.
        _pool = new InProcessPool();
        // Warm up MessagePack's generated formatters and register the routines.
        if (WovenAdd(1, 2).GetAwaiter().GetResult() != 3)
        {
            throw new InvalidOperationException("The woven routine returned a wrong result.");
        }

        _add = RoutineRegistry.Resolve(typeof(CallPathBenchmarks).Assembly.FullName!, "System.Threading.Tasks.Task`1<System.Int32> Wool.Benchmarks.CallPathBenchmarks::WovenAdd(System.Int32,System.Int32)", Guid.Empty);
        _payload = RoutineRequest.Create(_add, null, [1, 2], null).Payload.ToArray();
    }

    [GlobalCleanup]
    public ValueTask Cleanup() => _pool.DisposeAsync();

    [Benchmark(Description = "serialize call (Add(1, 2))")]
    public int SerializeCall() => RoutineRequest.Create(_add, null, [1, 2], null).Payload.Length;

    [Benchmark(Description = "deserialize call (Add(1, 2))")]
    public object?[] DeserializeCall() => RoutinePayload.DeserializeCall(_add, _payload, out _);

    [Benchmark(Baseline = true, Description = "local async call (not woven)")]
    public Task<int> LocalCall() => LocalAdd(1, 2);

    [Benchmark(Description = "woven stub, in-process round trip")]
    public Task<int> WovenCall() => WovenAdd(1, 2);

    [Routine]
    private static async Task<int> WovenAdd(int x, int y)
    {
        await Task.CompletedTask;
        return x + y;
    }

    private static async Task<int> LocalAdd(int x, int y)
    {
        await Task.CompletedTask;
        return x + y;
    }
}
