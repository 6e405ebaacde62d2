namespace Wool.Benchmarks;

/// <summary>
/// Streams only (<c>--streams [seconds]</c>), for A/B comparisons and profiles: Wool's prefetch-256 stream
/// against the default gRPC server's streaming and Orleans' batched stream, alternating, 100,000 items each.
/// With a duration, it only runs Wool's stream for that long (attach <c>dotnet-trace</c> meanwhile).
/// </summary>
internal static class StreamFigures
{
    private const int Items = 100_000;
    private const int Rounds = 5;

    public static async Task<Figure[]> RunAsync(double? profileSeconds)
    {
        await using var pool = new WorkerPool(spawn: 1);
        await pool.WaitForWorkersAsync();
        if (profileSeconds is double seconds)
        {
            var until = DateTime.UtcNow.AddSeconds(seconds);
            while (DateTime.UtcNow < until)
            {
                await Figures.ItemsPerSecondAsync(Figures.PrefetchedNumbers(Items), Items, "prefetch stream");
            }

            return [];
        }

        await using var grpc = await FloorClient.StartDefaultAsync();
        await using var orleans = await OrleansFloor.StartAsync();
        Func<Task<double>>[] streams =
        [
            () => Figures.ItemsPerSecondAsync(Figures.PrefetchedNumbers(Items), Items, "prefetch stream"),
            () => Figures.ServerStreamAsync(grpc, Items),
            () => Figures.ItemsPerSecondAsync(orleans.Grain.Numbers(Items).WithBatchSize(256), Items, "orleans stream"),
            () => Figures.ItemsPerSecondAsync(Figures.WidePrefetchedNumbers(Items), Items, "wide prefetch stream"),
        ];
        await Measure.InterleavedAsync(2, streams);
        double[] rates = await Measure.InterleavedAsync(Rounds, streams);
        return
        [
            new Figure($"streams: wool prefetch-256, {Items:N0} items", rates[0], "items/s"),
            new Figure($"streams: default gRPC server stream", rates[1], "items/s"),
            new Figure($"streams: Orleans (batch 256)", rates[2], "items/s"),
            new Figure("streams: wool prefetch-2048", rates[3], "items/s"),
            new Figure("streams: ratio, wool vs gRPC server stream", rates[0] / rates[1], "x"),
            new Figure("streams: ratio, wool vs Orleans", rates[0] / rates[2], "x"),
        ];
    }
}
