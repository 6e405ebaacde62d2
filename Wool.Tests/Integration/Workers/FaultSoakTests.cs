using System.Diagnostics;
using System.Globalization;
using Wool.Discovery;
using Wool.Tests.Integration.Discovery;

namespace Wool.Tests.Integration.Workers;

/// <summary>
/// Calls under churn: workers are killed and new ones join while 64 callers run. Every call ends
/// with its value or a typed exception within a bounded time, none runs twice, nothing leaks.
/// 10,000 calls by default; set WOOL_SOAK_CALLS for a longer run.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class FaultSoakTests
{
    [TestMethod]
    public async Task Soak_WorkersKilledAndJoining_EveryCallAnsweredOnceAndNothingLeaks()
    {
        int total = int.TryParse(Environment.GetEnvironmentVariable("WOOL_SOAK_CALLS"), CultureInfo.InvariantCulture, out int n) ? n : 10_000;
        const int callers = 64;
        string ns = $"soak-{Guid.NewGuid():N}";
        string ledger = Directory.CreateTempSubdirectory("wool-soak-").FullName;
        int descriptorsBefore = SocketsAndPipes();
        var durable = new List<DurableWorker>
        {
            await DurableWorker.StartAsync("--discovery", "local", "--namespace", ns),
            await DurableWorker.StartAsync("--discovery", "local", "--namespace", ns),
        };
        int[] spawned;
        var outcomes = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        long slowest = 0;
        try
        {
            await using (var pool = new WorkerPool(spawn: 2, discovery: new LocalDiscovery(ns), options: WorkerPoolOptions.Default with { Quorum = 4 }))
            {
                await pool.WaitForWorkersAsync().WaitAsync(Timeouts.Default);
                spawned = [.. pool.Workers.Select(w => w.ProcessId).Where(p => durable.All(d => d.ProcessId != p))];
                Assert.HasCount(2, spawned);
                int next = -1;

                async Task Caller()
                {
                    int id;
                    while ((id = Interlocked.Increment(ref next)) < total)
                    {
                        long start = Stopwatch.GetTimestamp();
                        string outcome;
                        try
                        {
                            int value = await WorkerRoutines.RecordOnce(ledger, id, id % 5).WaitAsync(Timeouts.Default);
                            outcome = value == id ? "ok" : $"wrong value {value} for {id}";
                        }
                        catch (Exception e) when (e is WorkerLostException or NoWorkersAvailableException)
                        {
                            outcome = e.GetType().Name;
                        }

                        outcomes.AddOrUpdate(outcome, 1, (_, c) => c + 1);
                        long elapsed = (long)Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                        InterlockedMax(ref slowest, elapsed);
                    }
                }

                Task load = Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(Caller)));
                await ChurnAsync(load, total, () => next, spawned, durable, ns);
                await load.WaitAsync(TimeSpan.FromMinutes(5));
            }

            Console.WriteLine($"soak: {string.Join(", ", outcomes.Select(o => $"{o.Key}={o.Value}"))}; slowest answer {slowest} ms");
            Assert.AreEqual(total, outcomes.Values.Sum(), "Every call must be answered.");
            Assert.IsFalse(outcomes.Keys.Any(k => k.StartsWith("wrong", StringComparison.Ordinal)), string.Join(", ", outcomes.Keys));
            Assert.IsGreaterThan(total / 2, outcomes.GetValueOrDefault("ok"), "Most calls must succeed under churn.");
            Assert.IsEmpty(Directory.GetFiles(ledger, "duplicate-*"), "A call ran twice.");
            Assert.IsLessThan(30_000, slowest, "Every call must be answered within a bounded time.");
            Assert.IsTrue(spawned.All(WorkerFailureTests.HasExited), "Spawned workers must not outlive the pool.");
        }
        finally
        {
            foreach (var worker in durable)
            {
                await worker.DisposeAsync();
            }

            Directory.Delete(ledger, recursive: true);
        }

        await Task.Delay(500);
        int descriptorsAfter = SocketsAndPipes();
        Assert.IsLessThanOrEqualTo(descriptorsBefore + 2, descriptorsAfter, $"Sockets and pipes grew from {descriptorsBefore} to {descriptorsAfter}.");
    }

    /// <summary>While the load runs: kill a spawned and a discovered worker, then bring two new discovered ones.</summary>
    private static async Task ChurnAsync(Task load, int total, Func<int> progress, int[] spawned, List<DurableWorker> durable, string ns)
    {
        async Task AfterAsync(double fraction)
        {
            while (!load.IsCompleted && progress() < total * fraction)
            {
                await Task.Delay(5);
            }
        }

        await AfterAsync(0.2);
        Process.GetProcessById(spawned[0]).Kill();
        await AfterAsync(0.35);
        durable[0].Kill();
        await AfterAsync(0.5);
        durable.Add(await DurableWorker.StartAsync("--discovery", "local", "--namespace", ns));
        durable.Add(await DurableWorker.StartAsync("--discovery", "local", "--namespace", ns));
    }

    /// <summary>Open sockets and pipes of this process (assembly files the runtime maps on first use are not leaks).</summary>
    private static int SocketsAndPipes() => Directory.GetFiles("/proc/self/fd").Count(fd =>
    {
        try
        {
            return new FileInfo(fd).LinkTarget is { } target && (target.StartsWith("socket:", StringComparison.Ordinal) || target.StartsWith("pipe:", StringComparison.Ordinal));
        }
        catch (IOException)
        {
            return false;
        }
    });

    private static void InterlockedMax(ref long target, long value)
    {
        long current;
        while (value > (current = Interlocked.Read(ref target)) && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
