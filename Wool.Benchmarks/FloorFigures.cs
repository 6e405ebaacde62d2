using System.Diagnostics;

namespace Wool.Benchmarks;

/// <summary>
/// Wool against the plain floors a user would compare it with (<c>--floors</c>), each in its own
/// process, paired in one run: sequential latency against a default gRPC server's bidirectional
/// ping-pong (and a pull stream against the ping-pong's rate; a prefetched stream against the server's
/// streaming); 64 concurrent callers against a raw TCP server with pipelined frames (the transport's
/// limit), against the default gRPC server's unary calls and against an Orleans silo's grain; streams
/// against Orleans' batched <c>IAsyncEnumerable</c>; latency in the first seconds of fresh processes;
/// cold start against starting the default gRPC server process and getting its first answer.
/// </summary>
internal static class FloorFigures
{
    private const int SequentialCalls = 10_000;
    private const int Block = 100;
    private const int Callers = 64;
    private const int CallsPerCaller = 500;
    private const int Rounds = 5;
    private const int ColdStarts = 3;
    private const int StreamItems = 20_000;
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(3);

    public static async Task<Figure[]> RunAsync()
    {
        var (coldWool, coldFloor) = await ColdStartsAsync();
        var (firstWool, firstFloor) = await FirstSeconds.MediansAsync(ColdStarts);
        var (newType, newTypeAgain) = await FirstSeconds.NewTypeMediansAsync(ColdStarts);
        int frame = Figures.AddFrameSize();
        await using var grpc = await FloorClient.StartDefaultAsync();
        await using var tcp = await TcpFloor.StartAsync();
        await using var orleans = await OrleansFloor.StartAsync();
        await using var pool = new WorkerPool(spawn: 1);
        await pool.WaitForWorkersAsync();
        await using var pingPong = new PingPong(grpc, frame);
        Func<int, Task> wool = async i => Measure.Check(await Figures.Add(i, 1) == i + 1, "floors");
        Func<int, Task> unary = async i => Measure.Check(FloorClient.Tag(await grpc.Client.UnaryAsync(FloorClient.Blob(frame, i))) == i, "default gRPC unary");
        Func<int, Task> pipelined = _ => tcp.CallAsync(frame);
        Func<int, Task> grain = async i => Measure.Check(await orleans.Grain.Add(i, 1) == i + 1, "orleans");

        await Measure.WarmUpAsync(WarmUp, wool);
        await Measure.WarmUpAsync(WarmUp, pingPong.RoundTripAsync);
        await Measure.WarmUpAsync(WarmUp, pipelined);
        await Measure.WarmUpAsync(WarmUp, unary);
        await Measure.WarmUpAsync(WarmUp, grain);

        var (woolLatencies, floorLatencies) = await Measure.PairedLatenciesAsync(SequentialCalls, Block, wool, pingPong.RoundTripAsync);
        var (woolAgain, orleansLatencies) = await Measure.PairedLatenciesAsync(SequentialCalls, Block, wool, grain);
        double[] rates = await Measure.InterleavedAsync(
            Rounds,
            () => Measure.ThroughputAsync(Callers, CallsPerCaller, wool),
            () => Measure.ThroughputAsync(Callers, CallsPerCaller, pipelined),
            () => Measure.ThroughputAsync(Callers, CallsPerCaller, unary),
            () => Measure.ThroughputAsync(Callers, CallsPerCaller, grain));
        // Streams: a pull stream (one round trip per item) against the ping-pong's rate; a prefetched
        // stream against the default gRPC server streaming the same count of 4-byte items.
        await Figures.ItemsPerSecondAsync(Figures.Numbers(StreamItems), StreamItems, "stream warm-up");
        await Figures.ItemsPerSecondAsync(Figures.PrefetchedNumbers(StreamItems), StreamItems, "stream warm-up");
        await Figures.ServerStreamAsync(grpc, StreamItems);
        await Figures.ItemsPerSecondAsync(orleans.Grain.Numbers(StreamItems).WithBatchSize(256), StreamItems, "stream warm-up");
        double[] streams = await Measure.InterleavedAsync(
            Rounds,
            () => Figures.ItemsPerSecondAsync(Figures.Numbers(StreamItems), StreamItems, "pull stream"),
            async () => StreamItems / (await Measure.LatenciesAsync(StreamItems, pingPong.RoundTripAsync)).Sum() * 1e6,
            () => Figures.ItemsPerSecondAsync(Figures.PrefetchedNumbers(StreamItems), StreamItems, "prefetch stream"),
            () => Figures.ServerStreamAsync(grpc, StreamItems),
            () => Figures.ItemsPerSecondAsync(orleans.Grain.Numbers(StreamItems).WithBatchSize(256), StreamItems, "orleans stream"));
        double woolP50 = Measure.Percentile(woolLatencies, 50), floorP50 = Measure.Percentile(floorLatencies, 50);
        double woolAgainP50 = Measure.Percentile(woolAgain, 50), orleansP50 = Measure.Percentile(orleansLatencies, 50);
        return
        [
            new Figure("floors: wool sequential Add p50", woolP50, "us"),
            new Figure("floors: default gRPC bidi ping-pong p50", floorP50, "us"),
            new Figure("floors: ratio, sequential vs ping-pong", woolP50 / floorP50, "x"),
            new Figure("floors: wool sequential Add p50 (with Orleans)", woolAgainP50, "us"),
            new Figure("floors: Orleans grain Add p50", orleansP50, "us"),
            new Figure("floors: ratio, sequential vs Orleans", woolAgainP50 / orleansP50, "x"),
            new Figure("floors: first seconds, wool p50", firstWool, "us"),
            new Figure("floors: first seconds, default gRPC ping-pong p50", firstFloor, "us"),
            new Figure("floors: ratio, first seconds", firstWool / firstFloor, "x"),
            new Figure("floors: first call with a new type (fresh processes)", newType, "ms"),
            new Figure("floors: the same call again", newTypeAgain, "ms"),
            new Figure($"floors: wool {Callers} callers", rates[0], "calls/s"),
            new Figure($"floors: raw TCP pipelined, {Callers} callers", rates[1], "calls/s"),
            new Figure($"floors: default gRPC unary, {Callers} callers", rates[2], "calls/s"),
            new Figure("floors: ratio, 64 callers vs raw TCP", rates[0] / rates[1], "x"),
            new Figure($"floors: Orleans grain, {Callers} callers", rates[3], "calls/s"),
            new Figure("floors: ratio, 64 callers vs gRPC unary", rates[0] / rates[2], "x"),
            new Figure("floors: ratio, 64 callers vs Orleans", rates[0] / rates[3], "x"),
            new Figure($"floors: wool pull stream, {StreamItems:N0} items", streams[0], "items/s"),
            new Figure($"floors: default gRPC ping-pong, {StreamItems:N0} round trips", streams[1], "items/s"),
            new Figure("floors: ratio, pull stream vs ping-pong rate", streams[0] / streams[1], "x"),
            new Figure($"floors: wool prefetch-256 stream, {StreamItems:N0} items", streams[2], "items/s"),
            new Figure($"floors: default gRPC server stream, {StreamItems:N0} items", streams[3], "items/s"),
            new Figure($"floors: Orleans stream (batch 256), {StreamItems:N0} items", streams[4], "items/s"),
            new Figure("floors: ratio, prefetch-256 vs gRPC server stream", streams[2] / streams[3], "x"),
            new Figure("floors: ratio, prefetch-256 vs Orleans stream", streams[2] / streams[4], "x"),
            new Figure("floors: wool cold start, new WorkerPool(1) to result", coldWool, "ms"),
            new Figure("floors: default gRPC server process to first result", coldFloor, "ms"),
            new Figure("floors: ratio, cold start", coldWool / coldFloor, "x"),
        ];
    }

    /// <summary>Medians of alternating cold starts: a pool's first worker and result, against a gRPC server process's.</summary>
    private static async Task<(double Wool, double Floor)> ColdStartsAsync()
    {
        var wool = new List<double>();
        var floor = new List<double>();
        for (int i = 0; i < ColdStarts; i++)
        {
            var watch = Stopwatch.StartNew();
            await using (var pool = new WorkerPool(spawn: 1))
            {
                Measure.Check(await Figures.Add(i, 1) == i + 1, "cold start");
                wool.Add(watch.Elapsed.TotalMilliseconds);
            }

            watch.Restart();
            await using (var grpc = await FloorClient.StartDefaultAsync())
            {
                Measure.Check(FloorClient.Tag(await grpc.Client.UnaryAsync(FloorClient.Blob(32, i))) == i, "floor cold start");
                floor.Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        return (wool.Order().ElementAt(ColdStarts / 2), floor.Order().ElementAt(ColdStarts / 2));
    }
}
