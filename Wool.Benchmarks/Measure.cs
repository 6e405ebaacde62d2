using System.Diagnostics;

namespace Wool.Benchmarks;

/// <summary>Timing helpers: latency percentiles of sequential operations, and throughput of concurrent callers.</summary>
internal static class Measure
{
    /// <summary>Runs <paramref name="operation"/> <paramref name="count"/> times in sequence; returns each duration in microseconds, sorted.</summary>
    public static async Task<double[]> LatenciesAsync(int count, Func<int, Task> operation)
    {
        var samples = new double[count];
        for (int i = 0; i < count; i++)
        {
            long start = Stopwatch.GetTimestamp();
            await operation(i);
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }

        Array.Sort(samples);
        return samples;
    }

    /// <summary>
    /// Measures two operations in alternating blocks of <paramref name="block"/> until each has
    /// <paramref name="count"/> samples, so that both meet the same machine conditions (on a shared
    /// machine, a floor measured a minute apart from Wool can differ from it by half). Sorted microseconds.
    /// </summary>
    public static async Task<(double[] A, double[] B)> PairedLatenciesAsync(int count, int block, Func<int, Task> a, Func<int, Task> b)
    {
        var samplesA = new List<double>(count);
        var samplesB = new List<double>(count);
        for (int done = 0; done < count; done += block)
        {
            int size = Math.Min(block, count - done);
            samplesA.AddRange(await LatenciesAsync(size, i => a(done + i)));
            samplesB.AddRange(await LatenciesAsync(size, i => b(done + i)));
        }

        double[] sortedA = [.. samplesA.Order()];
        double[] sortedB = [.. samplesB.Order()];
        return (sortedA, sortedB);
    }

    /// <summary>Runs two rate measurements alternately, <paramref name="rounds"/> times each; returns the median of each.</summary>
    public static async Task<(double A, double B)> PairedAsync(int rounds, Func<Task<double>> a, Func<Task<double>> b)
    {
        double[] medians = await InterleavedAsync(rounds, a, b);
        return (medians[0], medians[1]);
    }

    /// <summary>Runs rate measurements in turn, <paramref name="rounds"/> times each; returns the median of each.</summary>
    public static async Task<double[]> InterleavedAsync(int rounds, params Func<Task<double>>[] measurements)
    {
        var rates = new double[measurements.Length][];
        for (int m = 0; m < measurements.Length; m++)
        {
            rates[m] = new double[rounds];
        }

        for (int round = 0; round < rounds; round++)
        {
            for (int m = 0; m < measurements.Length; m++)
            {
                rates[m][round] = await measurements[m]();
            }
        }

        return [.. rates.Select(r => r.Order().ElementAt(rounds / 2))];
    }

    /// <summary>
    /// Repeats <paramref name="operation"/> for <paramref name="duration"/>: long enough for tiered
    /// compilation to promote the hot path on both sides (a fixed count of calls finishes before that).
    /// </summary>
    public static async Task WarmUpAsync(TimeSpan duration, Func<int, Task> operation)
    {
        var watch = Stopwatch.StartNew();
        for (int i = 0; watch.Elapsed < duration; i++)
        {
            await operation(i);
        }
    }

    public static double Percentile(double[] sorted, double percentile)
        => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(percentile / 100 * sorted.Length) - 1)];

    /// <summary>Runs <paramref name="callers"/> concurrent loops of <paramref name="callsEach"/> operations; returns operations per second.</summary>
    public static async Task<double> ThroughputAsync(int callers, int callsEach, Func<int, Task> operation)
    {
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, callers).Select(caller => Task.Run(async () =>
        {
            for (int i = 0; i < callsEach; i++)
            {
                await operation(caller * callsEach + i);
            }
        })));
        return callers * callsEach / watch.Elapsed.TotalSeconds;
    }

    public static void Check(bool correct, string what)
    {
        if (!correct)
        {
            throw new InvalidOperationException($"Wrong answer while measuring {what}: the figure would be meaningless.");
        }
    }
}
