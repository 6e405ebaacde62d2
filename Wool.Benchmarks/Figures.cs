using System.Diagnostics;
using Wool.Routines;
using Wool.Workers.Protocol;

namespace Wool.Benchmarks;

/// <summary>
/// The end-to-end figures: Wool on real worker processes against the raw gRPC floor, measured in
/// the same run on the same machine. Every figure checks its answers.
/// </summary>
internal static class Figures
{
    private const int SequentialCalls = 5_000;
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(3);
    private const int Callers = 64;
    private const int CallsPerCaller = 500;
    private const int StreamItems = 100_000;
    private const int PairedBlock = 250;
    private const int PairedRounds = 3;

    private static readonly WoolContextVar<string>[] s_contextVars = [.. Enumerable.Range(0, 4).Select(i => new WoolContextVar<string>($"bench.var{i}"))];

    public static async Task<int> RunAsync()
    {
        var figures = new List<Figure>();
        figures.AddRange(await ColdStartAsync());
        figures.AddRange(await ColdStartFourAsync());
        // The floor serves for the whole run: each target's Wool figure and its floor are measured
        // in alternating rounds, under the same conditions.
        await using (var floor = await FloorClient.StartAsync())
        {
            int frameSize = AddFrameSize();
            figures.AddRange(await WoolAsync(workers: 1, floor, frameSize));
            figures.AddRange(await WoolThroughputAsync(workers: 2));
            figures.AddRange(await MutualTlsAsync());
            figures.AddRange(await LocalTransportAsync());
            figures.AddRange(await FanOutAsync());
            figures.AddRange(await FloorAsync(floor, frameSize));
        }

        foreach (Figure figure in figures)
        {
            Console.WriteLine(figure.ToJson());
        }

        Console.WriteLine();
        Console.WriteLine($"| {"figure",-44} | {"value",12} | {"unit",-8} |");
        Console.WriteLine($"|{new string('-', 46)}|{new string('-', 14)}|{new string('-', 10)}|");
        foreach (Figure figure in figures)
        {
            Console.WriteLine(figure.ToRow());
        }

        Ratios(figures);
        return 0;
    }

    /// <summary>Sequential latency against the ping-pong floor, nothing else: quick enough to compare two builds.</summary>
    public static async Task<int> LatencyOnlyAsync()
    {
        await using var floor = await FloorClient.StartAsync();
        await using var pool = new WorkerPool(spawn: 1);
        await using var pingPong = new PingPong(floor, AddFrameSize());
        await Measure.WarmUpAsync(WarmUp, async i => Measure.Check(await Add(i, 1) == i + 1, "warm-up"));
        await Measure.WarmUpAsync(WarmUp, pingPong.RoundTripAsync);
        var (wool, floorLatencies) = await Measure.PairedLatenciesAsync(SequentialCalls, PairedBlock, async i => Measure.Check(await Add(i, 1) == i + 1, "latency"), pingPong.RoundTripAsync);
        double woolP50 = Measure.Percentile(wool, 50), floorP50 = Measure.Percentile(floorLatencies, 50);
        Console.WriteLine($"sequential p50 {woolP50:0.0} us, ping-pong p50 {floorP50:0.0} us, ratio {woolP50 / floorP50:0.00}x");
        return 0;
    }

    /// <summary>The routine every figure calls: Wool's smallest round trip.</summary>
    [Routine]
    internal static async Task<int> Add(int x, int y)
    {
        await Task.CompletedTask;
        return x + y;
    }

    [Routine]
    internal static async IAsyncEnumerable<int> Numbers(int count)
    {
        for (int i = 0; i < count; i++)
        {
            yield return i;
        }

        await Task.CompletedTask;
    }

    [Routine(Prefetch = 2048)]
    internal static async IAsyncEnumerable<int> WidePrefetchedNumbers(int count)
    {
        for (int i = 0; i < count; i++)
        {
            yield return i;
        }

        await Task.CompletedTask;
    }

    [Routine(Prefetch = 256)]
    internal static async IAsyncEnumerable<int> PrefetchedNumbers(int count)
    {
        for (int i = 0; i < count; i++)
        {
            yield return i;
        }

        await Task.CompletedTask;
    }

    internal static async Task<double> ItemsPerSecondAsync(IAsyncEnumerable<int> items, int count, string what)
    {
        var watch = Stopwatch.StartNew();
        int expected = 0;
        await foreach (int item in items)
        {
            Measure.Check(item == expected++, what);
        }

        Measure.Check(expected == count, what);
        return count / watch.Elapsed.TotalSeconds;
    }

    private const int PayloadBytes = 1 << 20;
    private const int PayloadRoundTrips = 40;
    private const int FanOutCalls = 200;
    private static readonly TimeSpan FanOutWork = TimeSpan.FromMilliseconds(10);

    [Routine]
    private static async Task<byte[]> Echo(byte[] data)
    {
        await Task.CompletedTask;
        return data;
    }

    [Routine]
    private static async Task<int> ProcessId()
    {
        await Task.CompletedTask;
        return Environment.ProcessId;
    }

    /// <summary>A fixed amount of CPU work (a xorshift chain); returns its result so it cannot be skipped or faked.</summary>
    [Routine]
    private static async Task<ulong> Work(long iterations, ulong seed)
    {
        await Task.CompletedTask;
        return Xorshift(iterations, seed);
    }

    private static ulong Xorshift(long iterations, ulong x)
    {
        for (long i = 0; i < iterations; i++)
        {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
        }

        return x;
    }

    /// <summary>How many iterations take about <paramref name="duration"/> on one core of this machine.</summary>
    private static long Calibrate(TimeSpan duration)
    {
        Xorshift(1_000_000, 1);
        var watch = Stopwatch.StartNew();
        Xorshift(10_000_000, 1);
        return (long)(10_000_000 * duration.TotalMilliseconds / watch.Elapsed.TotalMilliseconds);
    }

    private static byte[] Payload(int seed)
    {
        var data = new byte[PayloadBytes];
        new Random(seed).NextBytes(data);
        return data;
    }

    private static async Task<Figure[]> ColdStartFourAsync()
    {
        var watch = Stopwatch.StartNew();
        await using var pool = new WorkerPool(spawn: 4);
        var seen = new HashSet<int>();
        while (seen.Count < 4)
        {
            foreach (int id in await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => ProcessId())))
            {
                seen.Add(id);
            }
        }

        Measure.Check(seen.SetEquals(pool.Workers.Select(w => w.ProcessId)), "cold start of four");
        return [new Figure("cold start: new WorkerPool(4) to all four answering", watch.Elapsed.TotalMilliseconds, "ms")];
    }

    private static async Task<Figure[]> FanOutAsync()
    {
        long iterations = Calibrate(FanOutWork);
        var serialWatch = Stopwatch.StartNew();
        ulong[] expected = [.. Enumerable.Range(1, FanOutCalls).Select(i => Xorshift(iterations, (ulong)i))];
        double serial = serialWatch.Elapsed.TotalMilliseconds;

        async Task<double> Run(int workers)
        {
            await using var pool = new WorkerPool(spawn: workers);
            await pool.WaitForWorkersAsync();
            await Task.WhenAll(Enumerable.Range(1, 20).Select(i => Work(1000, (ulong)i)));
            var watch = Stopwatch.StartNew();
            ulong[] done = await Task.WhenAll(Enumerable.Range(1, FanOutCalls).Select(i => Work(iterations, (ulong)i)));
            Measure.Check(done.SequenceEqual(expected), "fan-out");
            return watch.Elapsed.TotalMilliseconds;
        }

        double one = await Run(1);
        double two = await Run(2);
        return
        [
            new Figure($"fan-out: {FanOutCalls} x 10 ms CPU, serial in the caller", serial, "ms"),
            new Figure($"fan-out: {FanOutCalls} x 10 ms CPU on 1 worker", one, "ms"),
            new Figure($"fan-out: {FanOutCalls} x 10 ms CPU on 2 workers", two, "ms"),
            new Figure("fan-out speed-up, 2 workers vs 1", one / two, "x"),
            new Figure("fan-out speed-up, 1 worker vs serial", serial / one, "x"),
        ];
    }

    internal static long ResidentBytes(int processId)
    {
        string? line = File.ReadLines($"/proc/{processId}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>Cold start of one worker, split: until the worker serves, until the pool is connected, until the first result.</summary>
    /// <param name="spawn">How many workers the pool spawns (<c>--cold 4</c>: the new user's <c>spawn: 4</c>, on however many cores).</param>
    /// <param name="quorum">How many the first call waits for (<c>--cold 4 1</c>); null for the default, all of them.</param>
    public static async Task<int> ColdStartPhasesAsync(int spawn = 1, int? quorum = null)
    {
        var watch = Stopwatch.StartNew();
        await using var pool = new WorkerPool(spawn: spawn, options: WorkerPoolOptions.Default with { Quorum = quorum });
        double constructed = watch.Elapsed.TotalMilliseconds;
        double connected = 0;
        if (quorum is null)
        {
            await pool.WaitForWorkersAsync();
            connected = watch.Elapsed.TotalMilliseconds;
        }

        Measure.Check(await Add(1, 2) == 3, "cold start");
        double first = watch.Elapsed.TotalMilliseconds;
        Measure.Check(await Add(2, 2) == 4, "cold start");
        double second = watch.Elapsed.TotalMilliseconds;
        Console.WriteLine($"pool constructed {constructed:0} ms, workers connected {connected:0} ms, first result {first:0} ms, second result {second:0} ms");
        Console.WriteLine(FormattableString.Invariant($"{FirstResultPrefix}{first}"));
        return 0;
    }

    private const string FirstResultPrefix = "first-result-ms ";

    /// <summary>
    /// The caller must be as cold as the worker, so each sample is a fresh process (<c>--cold</c>);
    /// the median of three spares the figure a process that happened to start while the machine
    /// was busy (the first run after a build is often 100 ms slower).
    /// </summary>
    private static async Task<Figure[]> ColdStartAsync()
    {
        var samples = new double[3];
        for (int i = 0; i < samples.Length; i++)
        {
            using var process = Process.Start(ThisProgram.StartInfo("--cold"))!;
            string output = await process.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromMinutes(1));
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(1));
            string? line = output.Split('\n').FirstOrDefault(l => l.StartsWith(FirstResultPrefix, StringComparison.Ordinal));
            Measure.Check(process.ExitCode == 0 && line is not null, "cold start");
            samples[i] = double.Parse(line![FirstResultPrefix.Length..], System.Globalization.CultureInfo.InvariantCulture);
        }

        Array.Sort(samples);
        return [new Figure("cold start: new WorkerPool(1) to first result", samples[1], "ms")];
    }

    /// <summary>Wool on one worker, with the floors its targets compare to measured in alternating rounds.</summary>
    private static async Task<Figure[]> WoolAsync(int workers, FloorClient floor, int frameSize)
    {
        await using var pool = new WorkerPool(spawn: workers);
        await pool.WaitForWorkersAsync();
        int worker = pool.Workers[0].ProcessId;
        await using var pingPong = new PingPong(floor, frameSize);
        async Task UnaryAsync(int i) => Measure.Check(FloorClient.Tag(await floor.Client.UnaryAsync(FloorClient.Blob(frameSize, i))) == i, "floor unary");
        await Measure.WarmUpAsync(WarmUp, async i => Measure.Check(await Add(i, 1) == i + 1, "warm-up"));
        await Measure.WarmUpAsync(WarmUp, pingPong.RoundTripAsync);
        await Measure.ThroughputAsync(Callers, 200, async i => Measure.Check(await Add(i, 2) == i + 2, "warm-up"));
        await Measure.ThroughputAsync(Callers, 200, UnaryAsync);
        var (latencies, pingPongLatencies) = await Measure.PairedLatenciesAsync(SequentialCalls, PairedBlock, async i => Measure.Check(await Add(i, 1) == i + 1, "sequential latency"), pingPong.RoundTripAsync);
        double idleBytes = ResidentBytes(worker);
        long loadedBytes = 0;
        using (var sampling = new CancellationTokenSource())
        {
            Task sampler = Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    loadedBytes = Math.Max(loadedBytes, ResidentBytes(worker));
                    await Task.Delay(50);
                }
            });
            await Measure.ThroughputAsync(Callers, CallsPerCaller, async i => Measure.Check(await Add(i, 2) == i + 2, "throughput under sampling"));
            await sampling.CancelAsync();
            await sampler;
        }

        var (throughput, unaryThroughput) = await Measure.PairedAsync(
            PairedRounds,
            () => Measure.ThroughputAsync(Callers, CallsPerCaller, async i => Measure.Check(await Add(i, 2) == i + 2, "throughput")),
            () => Measure.ThroughputAsync(Callers, CallsPerCaller, UnaryAsync));
        byte[] payload = Payload(7);
        Measure.Check((await Echo(payload)).AsSpan().SequenceEqual(payload), "payload warm-up");
        var payloadWatch = Stopwatch.StartNew();
        for (int i = 0; i < PayloadRoundTrips; i++)
        {
            Measure.Check((await Echo(payload)).AsSpan().SequenceEqual(payload), "payload round trip");
        }

        double payloadMegabytes = 2.0 * PayloadRoundTrips * PayloadBytes / 1e6 / payloadWatch.Elapsed.TotalSeconds;
        await ItemsPerSecondAsync(Numbers(30_000), 30_000, "stream warm-up");
        double pull = await ItemsPerSecondAsync(Numbers(StreamItems), StreamItems, "pull stream");
        // Streams run per item code that tiered compilation promotes only after many items.
        await Measure.WarmUpAsync(WarmUp, async _ =>
        {
            await ItemsPerSecondAsync(PrefetchedNumbers(10_000), 10_000, "stream warm-up");
            await ItemsPerSecondAsync(WidePrefetchedNumbers(10_000), 10_000, "stream warm-up");
            await ServerStreamAsync(floor, 10_000);
        });
        double[] streams = await Measure.InterleavedAsync(
            PairedRounds,
            () => ItemsPerSecondAsync(PrefetchedNumbers(StreamItems), StreamItems, "prefetch stream"),
            () => ItemsPerSecondAsync(WidePrefetchedNumbers(StreamItems), StreamItems, "wide prefetch stream"),
            () => ServerStreamAsync(floor, StreamItems));
        var (prefetch, widePrefetch, serverStream) = (streams[0], streams[1], streams[2]);

        // The cost of ambient context: the same calls with one, then four, 16-character values set.
        int baseFrame = AddFrameSize();
        double[] withOne;
        int oneFrame;
        using (WoolContext.Set(s_contextVars[0], "tenant-000000001"))
        {
            oneFrame = AddFrameSize();
            withOne = await Measure.LatenciesAsync(SequentialCalls, async i => Measure.Check(await Add(i, 1) == i + 1, "latency with context"));
        }

        double[] withFour;
        int fourFrame;
        var scopes = s_contextVars.Select((v, i) => WoolContext.Set(v, $"value-00000000{i:D3}")).ToList();
        try
        {
            fourFrame = AddFrameSize();
            withFour = await Measure.LatenciesAsync(SequentialCalls, async i => Measure.Check(await Add(i, 1) == i + 1, "latency with context"));
        }
        finally
        {
            scopes.ForEach(s => s.Dispose());
        }

        return
        [
            new Figure("worker RSS, idle", idleBytes / 1e6, "MB"),
            new Figure($"worker RSS, peak under {Callers} callers", loadedBytes / 1e6, "MB"),
            new Figure("wool 1 MiB byte[] argument + result round trip", payloadMegabytes, "MB/s"),
            new Figure("context: bytes added per call, 1 var", oneFrame - baseFrame, "B"),
            new Figure("context: bytes added per call, 4 vars", fourFrame - baseFrame, "B"),
            new Figure($"wool sequential Add p50, 1 context var", Measure.Percentile(withOne, 50), "us"),
            new Figure($"wool sequential Add p50, 4 context vars", Measure.Percentile(withFour, 50), "us"),
            new Figure($"wool stream {StreamItems:N0} ints, pull", pull, "items/s"),
            new Figure($"wool stream {StreamItems:N0} ints, prefetch 256", prefetch, "items/s"),
            new Figure($"wool stream {StreamItems:N0} ints, prefetch 2048", widePrefetch, "items/s"),
            new Figure($"wool sequential Add p50 ({workers} worker)", Measure.Percentile(latencies, 50), "us"),
            new Figure($"wool sequential Add p90 ({workers} worker)", Measure.Percentile(latencies, 90), "us"),
            new Figure($"wool sequential Add p99 ({workers} worker)", Measure.Percentile(latencies, 99), "us"),
            new Figure($"wool {Callers} callers ({workers} worker)", throughput, "calls/s"),
            new Figure($"floor: gRPC server streaming {StreamItems:N0} items", serverStream, "items/s"),
            new Figure($"floor: gRPC bidi ping-pong p50 ({frameSize} B)", Measure.Percentile(pingPongLatencies, 50), "us"),
            new Figure($"floor: gRPC bidi ping-pong p99 ({frameSize} B)", Measure.Percentile(pingPongLatencies, 99), "us"),
            new Figure($"floor: gRPC unary, {Callers} callers", unaryThroughput, "calls/s"),
        ];
    }

    internal static async Task<double> ServerStreamAsync(FloorClient floor, int items)
    {
        var watch = Stopwatch.StartNew();
        using var stream = floor.Client.ServerStream(new Floor.Count { Items = items, Size = 4 });
        int expected = 0;
        while (await stream.ResponseStream.MoveNext(CancellationToken.None))
        {
            Measure.Check(FloorClient.Tag(stream.ResponseStream.Current) == expected++, "floor server stream");
        }

        Measure.Check(expected == items, "floor server stream");
        return items / watch.Elapsed.TotalSeconds;
    }

    /// <summary>What mutual TLS costs: sequential latency and 64-caller throughput, paired with a plain pool.</summary>
    private static async Task<Figure[]> MutualTlsAsync()
    {
        using var tls = new ThrowawayCredentials();
        return await PairedPoolsAsync("mutual TLS", WorkerPoolOptions.Default with { Credentials = tls.Credentials }, "without TLS", WorkerPoolOptions.Default);
    }

    /// <summary>What local workers' sockets cost: the default (a Unix domain socket in a private folder) against TCP loopback, both with the access token.</summary>
    public static async Task<Figure[]> LocalTransportAsync()
        => await PairedPoolsAsync("Unix socket", WorkerPoolOptions.Default, "TCP loopback", WorkerPoolOptions.Default with { ListenOnLoopback = true });

    /// <summary>Latency and 64-caller throughput of two single-worker pools, measured in alternating blocks in the same run.</summary>
    private static async Task<Figure[]> PairedPoolsAsync(string nameA, WorkerPoolOptions a, string nameB, WorkerPoolOptions b)
    {
        await using var poolA = new WorkerPool(spawn: 1, options: a);
        await using var poolB = new WorkerPool(spawn: 1, options: b);
        await Task.WhenAll(poolA.WaitForWorkersAsync(), poolB.WaitForWorkersAsync());
        Func<int, Task> On(RoutinePool pool, string what) => async i =>
        {
            RoutinePool.UseInThisFlow(pool);
            Measure.Check(await Add(i, 1) == i + 1, what);
        };

        await Measure.WarmUpAsync(WarmUp, On(poolA, $"{nameA} warm-up"));
        await Measure.WarmUpAsync(WarmUp, On(poolB, $"{nameB} warm-up"));
        var (latencyA, latencyB) = await Measure.PairedLatenciesAsync(SequentialCalls, PairedBlock, On(poolA, $"{nameA} latency"), On(poolB, $"{nameB} latency"));
        var (rateA, rateB) = await Measure.PairedAsync(
            PairedRounds,
            () => Measure.ThroughputAsync(Callers, CallsPerCaller, On(poolA, $"{nameA} throughput")),
            () => Measure.ThroughputAsync(Callers, CallsPerCaller, On(poolB, $"{nameB} throughput")));
        return
        [
            new Figure($"wool sequential Add p50, {nameA}", Measure.Percentile(latencyA, 50), "us"),
            new Figure($"wool sequential Add p50, same run {nameB}", Measure.Percentile(latencyB, 50), "us"),
            new Figure($"wool {Callers} callers, {nameA}", rateA, "calls/s"),
            new Figure($"wool {Callers} callers, same run {nameB}", rateB, "calls/s"),
        ];
    }

    private static async Task<Figure[]> WoolThroughputAsync(int workers)
    {
        await using var pool = new WorkerPool(spawn: workers);
        await Measure.ThroughputAsync(Callers, 100, async i => Measure.Check(await Add(i, 2) == i + 2, "warm-up"));
        double throughput = await Measure.ThroughputAsync(Callers, CallsPerCaller, async i => Measure.Check(await Add(i, 2) == i + 2, "throughput"));
        return [new Figure($"wool {Callers} callers ({workers} workers)", throughput, "calls/s")];
    }

    /// <summary>The floors no target is paired with: unary latency and 1 MiB payloads.</summary>
    private static async Task<Figure[]> FloorAsync(FloorClient floor, int frameSize)
    {
        await Measure.WarmUpAsync(WarmUp, async i => Measure.Check(FloorClient.Tag(await floor.Client.UnaryAsync(FloorClient.Blob(frameSize, i))) == i, "floor warm-up"));
        double[] unary = await Measure.LatenciesAsync(SequentialCalls, async i => Measure.Check(FloorClient.Tag(await floor.Client.UnaryAsync(FloorClient.Blob(frameSize, i))) == i, "floor unary"));
        var blob = new Floor.Blob { Data = Google.Protobuf.ByteString.CopyFrom(Payload(7)) };
        Measure.Check((await floor.Client.UnaryAsync(blob)).Data.Equals(blob.Data), "floor payload warm-up");
        var payloadWatch = Stopwatch.StartNew();
        for (int i = 0; i < PayloadRoundTrips; i++)
        {
            Measure.Check((await floor.Client.UnaryAsync(blob)).Data.Equals(blob.Data), "floor payload");
        }

        double payloadMegabytes = 2.0 * PayloadRoundTrips * PayloadBytes / 1e6 / payloadWatch.Elapsed.TotalSeconds;
        return
        [
            new Figure("floor: gRPC unary 1 MiB request + response", payloadMegabytes, "MB/s"),
            new Figure($"floor: gRPC unary p50 ({frameSize} B)", Measure.Percentile(unary, 50), "us"),
        ];
    }

    /// <summary>
    /// The size of the frame Wool sends for Add(1, 2) in the current context, once the routine is
    /// numbered on the connection (every call but the first): the floor echoes payloads of that size.
    /// </summary>
    internal static int AddFrameSize()
    {
        var routine = RoutineRegistry.Resolve(typeof(Figures).Assembly.FullName!, "System.Threading.Tasks.Task`1<System.Int32> Wool.Benchmarks.Figures::Add(System.Int32,System.Int32)", Guid.Empty);
        var batch = new ClientBatch();
        batch.Frames.Add(WireProtocol.ToFrame(1, RoutineRequest.Create(routine, null, [1, 2], null), streaming: false, routineRef: 1, named: false));
        return batch.CalculateSize();
    }

    private static void Ratios(List<Figure> figures)
    {
        double Find(string prefix) => figures.First(f => f.Name.StartsWith(prefix, StringComparison.Ordinal)).Value;
        Console.WriteLine();
        Console.WriteLine($"sequential p50 / ping-pong p50: {Find("wool sequential Add p50 (1 worker)") / Find("floor: gRPC bidi ping-pong p50"):0.00}x");
        Console.WriteLine($"64-caller throughput (1 worker) / raw unary 64 callers: {Find("wool 64 callers (1 worker)") / Find("floor: gRPC unary, 64"):0.00}x");
        double pingPongRate = 1_000_000 / Find("floor: gRPC bidi ping-pong p50");
        Console.WriteLine($"pull stream / ping-pong rate ({pingPongRate:N0}/s): {Find("wool stream 100,000 ints, pull") / pingPongRate:0.00}x");
        Console.WriteLine($"1 MiB payload / raw unary: {Find("wool 1 MiB") / Find("floor: gRPC unary 1 MiB"):0.00}x");
        Console.WriteLine($"fan-out speed-up on 2 workers: {Find("fan-out speed-up"):0.00}x");
        Console.WriteLine($"mutual TLS / plain, sequential p50: {Find("wool sequential Add p50, mutual TLS") / Find("wool sequential Add p50, same run without"):0.00}x; 64 callers: {Find("wool 64 callers, mutual TLS") / Find("wool 64 callers, same run without"):0.00}x");
        Console.WriteLine($"prefetch stream / raw server streaming: window 256 {Find("wool stream 100,000 ints, prefetch 256") / Find("floor: gRPC server streaming"):0.00}x, window 2048 {Find("wool stream 100,000 ints, prefetch 2048") / Find("floor: gRPC server streaming"):0.00}x");
    }
}
