using System.Globalization;

namespace Wool.Benchmarks;

/// <summary>
/// Latency in an application's first seconds: a fresh caller process, a fresh worker (or a fresh default
/// gRPC server), 1,000 warm-up calls, then the p50 of 5,000 sequential calls. Both sides still run
/// mostly unoptimized (tier-0) code here, which is what a new application meets.
/// </summary>
internal static class FirstSeconds
{
    public const string WoolMode = "--first-seconds-wool";
    public const string GrpcMode = "--first-seconds-grpc";
    public const string NewTypeMode = "--first-seconds-new-type";
    private const string ResultLine = "P50 ";
    private const int WarmUpCalls = 1_000;
    private const int Calls = 5_000;

    /// <summary>Medians of <paramref name="runs"/> alternating fresh processes: Wool's p50 and the default gRPC ping-pong's.</summary>
    public static async Task<(double Wool, double Floor)> MediansAsync(int runs)
    {
        var wool = new List<double>();
        var floor = new List<double>();
        for (int i = 0; i < runs; i++)
        {
            wool.Add(double.Parse(await RunProcessAsync(WoolMode), CultureInfo.InvariantCulture));
            floor.Add(double.Parse(await RunProcessAsync(GrpcMode), CultureInfo.InvariantCulture));
        }

        return (wool.Order().ElementAt(runs / 2), floor.Order().ElementAt(runs / 2));
    }

    /// <summary>
    /// Medians over <paramref name="runs"/> fresh processes (a fresh worker each) of the first call that
    /// sends and returns an application type neither process has used, and of the same call again.
    /// </summary>
    public static async Task<(double First, double Second)> NewTypeMediansAsync(int runs)
    {
        var first = new List<double>();
        var second = new List<double>();
        for (int i = 0; i < runs; i++)
        {
            string[] times = (await RunProcessAsync(NewTypeMode).ConfigureAwait(false)).Split(' ');
            first.Add(double.Parse(times[0], CultureInfo.InvariantCulture));
            second.Add(double.Parse(times[1], CultureInfo.InvariantCulture));
        }

        return (first.Order().ElementAt(runs / 2), second.Order().ElementAt(runs / 2));
    }

    /// <summary>One fresh process's measurement; prints its p50 in microseconds.</summary>
    public static async Task<int> RunAsync(string mode)
    {
        double[] latencies;
        if (mode == NewTypeMode)
        {
            await using var pool = new WorkerPool(spawn: 1);
            await pool.WaitForWorkersAsync().WaitAsync(TimeSpan.FromSeconds(60));
            await Measure.LatenciesAsync(WarmUpCalls, async i => Measure.Check(await Figures.Add(i, 1) == i + 1, "first seconds"));
            var watch = System.Diagnostics.Stopwatch.StartNew();
            Measure.Check((await Reprice(Order.Sample(1), 2m)).Lines[0].Price == 2m, "new type");
            double first = watch.Elapsed.TotalMilliseconds;
            watch.Restart();
            Measure.Check((await Reprice(Order.Sample(2), 3m)).Lines[0].Price == 3m, "new type again");
            double second = watch.Elapsed.TotalMilliseconds;
            Console.WriteLine(ResultLine + first.ToString("R", CultureInfo.InvariantCulture) + " " + second.ToString("R", CultureInfo.InvariantCulture));
            return 0;
        }

        if (mode == WoolMode)
        {
            await using var pool = new WorkerPool(spawn: 1);
            await pool.WaitForWorkersAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Func<int, Task> add = async i => Measure.Check(await Figures.Add(i, 1) == i + 1, "first seconds");
            await Measure.LatenciesAsync(WarmUpCalls, add);
            latencies = await Measure.LatenciesAsync(Calls, add);
        }
        else
        {
            await using var grpc = await FloorClient.StartDefaultAsync();
            await using var pingPong = new PingPong(grpc, Figures.AddFrameSize());
            await Measure.LatenciesAsync(WarmUpCalls, pingPong.RoundTripAsync);
            latencies = await Measure.LatenciesAsync(Calls, pingPong.RoundTripAsync);
        }

        Console.WriteLine(ResultLine + Measure.Percentile(latencies, 50).ToString("R", CultureInfo.InvariantCulture));
        return 0;
    }

    [Routine]
    internal static async Task<Order> Reprice(Order order, decimal price)
    {
        await Task.CompletedTask;
        return order with { Lines = [.. order.Lines.Select(line => line with { Price = price })] };
    }

    /// <summary>An application's everyday types: records, a list, an enum, a nested class.</summary>
    internal sealed record Order(int Id, string Customer, DateTimeOffset Placed, OrderState State, List<OrderLine> Lines, Address ShipTo)
    {
        public static Order Sample(int id) => new(id, "acme", DateTimeOffset.UnixEpoch, OrderState.Open, [new OrderLine("sku-1", 2, 1m), new OrderLine("sku-2", 1, 5m)], new Address { Street = "1 Main St", City = "Springfield" });
    }

    internal sealed record OrderLine(string Sku, int Quantity, decimal Price);

    internal enum OrderState
    {
        Open,
        Shipped,
    }

    internal sealed class Address
    {
        public string Street { get; set; } = "";

        public string City { get; set; } = "";
    }

    private static async Task<string> RunProcessAsync(string mode)
    {
        using var process = System.Diagnostics.Process.Start(ThisProgram.StartInfo(mode))!;
        process.StandardInput.Close();
        string output = await process.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        string? line = output.Split('\n').LastOrDefault(l => l.StartsWith(ResultLine, StringComparison.Ordinal));
        Measure.Check(process.ExitCode == 0 && line is not null, $"{mode} exited {process.ExitCode}: {output}");
        return line![ResultLine.Length..].Trim();
    }
}
