using System.Diagnostics;
using Wool.Benchmarks.Application;
using Wool.Discovery;

namespace Wool.Benchmarks;

/// <summary>
/// Shipped code (<c>--ship</c>): a generic worker (Wool's own build output, <c>--accept-code</c>, an empty
/// code cache) against a worker started from the application's folder, both durable, both over mutual
/// TLS, in one run. The first call of each (each worker's first call ever; the generic worker's also
/// fetches the application's assembly and the package it lacks, about 0.7 MiB), then sequential latency
/// in alternating blocks.
/// </summary>
internal static class ShipFigures
{
    private const int Calls = 5_000;
    private const int Block = 100;
    private const string ReadyLine = "WOOL-WORKER-READY ";
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(3);

    public static async Task<Figure[]> RunAsync()
    {
        using var tls = new ThrowawayCredentials();
        string cache = Directory.CreateTempSubdirectory("wool-bench-code-").FullName;
        string generic = $"bench-generic-{Guid.NewGuid():N}", folder = $"bench-folder-{Guid.NewGuid():N}", warm = $"bench-warm-{Guid.NewGuid():N}";
        string bench = AppContext.BaseDirectory;
        string wool = Path.GetFullPath(Path.Combine(bench, "..", "..", "..", "..", "Wool", "bin", "Release", "net10.0"));
        using Process genericWorker = await StartWorkerAsync(wool, "Wool", [.. tls.WorkerArguments, "--discovery", "local", "--namespace", generic, "--accept-code", "--accept-code-from", "wool-worker", "--code-cache", cache]);
        using Process folderWorker = await StartWorkerAsync(bench, "Wool.Benchmarks", [.. tls.WorkerArguments, "--discovery", "local", "--namespace", folder]);
        using Process warmWorker = await StartWorkerAsync(bench, "Wool.Benchmarks", [.. tls.WorkerArguments, "--discovery", "local", "--namespace", warm]);
        try
        {
            await using var onGeneric = new WorkerPool(discovery: new LocalDiscovery(generic), options: WorkerPoolOptions.Default with { Credentials = tls.Credentials });
            await using var onFolder = new WorkerPool(discovery: new LocalDiscovery(folder), options: WorkerPoolOptions.Default with { Credentials = tls.Credentials });
            await using var onWarm = new WorkerPool(discovery: new LocalDiscovery(warm), options: WorkerPoolOptions.Default with { Credentials = tls.Credentials });
            await Task.WhenAll(onGeneric.WaitForWorkersAsync(), onFolder.WaitForWorkersAsync(), onWarm.WaitForWorkersAsync());

            // A third worker takes the caller's own first call, so that both first calls below are a
            // fresh worker's with a warm caller: their difference is what shipping costs.
            await FirstCallAsync(onWarm);
            double firstGeneric = await FirstCallAsync(onGeneric);
            double firstFolder = await FirstCallAsync(onFolder);
            long shipped = Directory.GetFiles(Path.Combine(cache, "files")).Sum(f => new FileInfo(f).Length);

            Func<int, Task> On(RoutinePool pool) => async i =>
            {
                RoutinePool.UseInThisFlow(pool);
                Measure.Check(await ShippedApplication.Add(i, 1) == i + 1, "shipped Add");
            };

            await Measure.WarmUpAsync(WarmUp, On(onGeneric));
            await Measure.WarmUpAsync(WarmUp, On(onFolder));
            var (latencyGeneric, latencyFolder) = await Measure.PairedLatenciesAsync(Calls, Block, On(onGeneric), On(onFolder));
            double p50Generic = Measure.Percentile(latencyGeneric, 50), p50Folder = Measure.Percentile(latencyFolder, 50);
            return
            [
                new Figure("ship: code shipped (application and package)", shipped / 1024.0, "KiB"),
                new Figure("ship: first call, generic worker (fetches)", firstGeneric, "ms"),
                new Figure("ship: first call, worker in the app's folder", firstFolder, "ms"),
                new Figure("ship: sequential Add p50, generic worker", p50Generic, "us"),
                new Figure("ship: sequential Add p50, app-folder worker", p50Folder, "us"),
                new Figure("ship: ratio, later calls generic vs folder", p50Generic / p50Folder, "x"),
            ];
        }
        finally
        {
            Stop(genericWorker);
            Stop(folderWorker);
            Stop(warmWorker);
            Directory.Delete(cache, recursive: true);
        }
    }

    /// <summary>The first call on a pool's worker: the one that uses the package, so that everything it needs is loaded.</summary>
    private static async Task<double> FirstCallAsync(RoutinePool pool)
    {
        RoutinePool.UseInThisFlow(pool);
        var watch = Stopwatch.StartNew();
        Measure.Check(await ShippedApplication.ToJson([1, 2, 3]).WaitAsync(TimeSpan.FromSeconds(60)) == "[1,2,3]", "first shipped call");
        return watch.Elapsed.TotalMilliseconds;
    }

    /// <summary>A durable worker as the README starts one: <c>dotnet exec</c> of Wool.dll with an application's (or Wool's own) runtime files.</summary>
    private static async Task<Process> StartWorkerAsync(string bin, string application, string[] options)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in (string[])["exec", "--runtimeconfig", Path.Combine(bin, application + ".runtimeconfig.json"), "--depsfile", Path.Combine(bin, application + ".deps.json"), Path.Combine(bin, "Wool.dll"), "worker", .. options])
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        _ = process.StandardError.ReadToEndAsync();
        while (await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)) is { } line)
        {
            if (line.StartsWith(ReadyLine, StringComparison.Ordinal))
            {
                return process;
            }
        }

        throw new InvalidOperationException($"The worker in {bin} exited before it served.");
    }

    private static void Stop(Process worker)
    {
        worker.Kill();
        worker.WaitForExit(10_000);
    }
}
