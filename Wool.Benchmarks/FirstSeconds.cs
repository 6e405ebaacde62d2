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
            wool.Add(await RunProcessAsync(WoolMode));
            floor.Add(await RunProcessAsync(GrpcMode));
        }

        return (wool.Order().ElementAt(runs / 2), floor.Order().ElementAt(runs / 2));
    }

    /// <summary>One fresh process's measurement; prints its p50 in microseconds.</summary>
    public static async Task<int> RunAsync(string mode)
    {
        double[] latencies;
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

    private static async Task<double> RunProcessAsync(string mode)
    {
        using var process = System.Diagnostics.Process.Start(ThisProgram.StartInfo(mode))!;
        process.StandardInput.Close();
        string output = await process.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        string? line = output.Split('\n').LastOrDefault(l => l.StartsWith(ResultLine, StringComparison.Ordinal));
        Measure.Check(process.ExitCode == 0 && line is not null, $"{mode} exited {process.ExitCode}: {output}");
        return double.Parse(line![ResultLine.Length..], CultureInfo.InvariantCulture);
    }
}
