using Microsoft.Extensions.Logging;
using System.Diagnostics;
using Wool.Discovery;

namespace Wool.Tests.Integration.Discovery;

/// <summary>
/// etcd discovery against a real etcd: hand-started workers register under leases of 3 s, a pool
/// watches them, a killed worker is dropped when its lease expires, etcd killed and restarted
/// loses no live worker, and a pool started while etcd is down serves once it is up.
/// </summary>
[TestClass]
public sealed class EtcdDiscoveryPoolTests
{
    private const int LeaseSeconds = 3;

    [TestMethod]
    public async Task EtcdDiscovery_WorkersRegister_PoolRunsOnBothAndDropsAKilledOneWhenItsLeaseExpires()
    {
        using var etcd = EtcdServer.Create();
        etcd.Start();
        using var secrets = new Secrets();
        string ns = $"etcd-{Guid.NewGuid():N}";
        await using var first = await StartWorkerAsync(etcd, ns, secrets.Token);
        await using var second = await StartWorkerAsync(etcd, ns, secrets.Token);
        await using var discovery = new EtcdDiscovery(etcd.Endpoint, ns);
        await using var pool = new WorkerPool(discovery: discovery, options: WorkerPoolOptions.Default with { AccessTokenFile = secrets.Token, Quorum = 2 });

        int[] used = [.. (await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => DiscoveryRoutines.Where())).WaitAsync(Timeouts.Default)).Distinct()];
        CollectionAssert.AreEquivalent(new[] { first.ProcessId, second.ProcessId }, used);

        using var watching = new CancellationTokenSource();
        var seen = Watch(discovery, watching.Token);
        await Eventually.WaitUntilAsync(() => Task.FromResult(seen.Count == 2), "the watcher sees both workers");
        second.Kill(); // SIGKILL: it cannot revoke its lease; only the lease's expiry removes its key.
        var killed = Stopwatch.StartNew();
        await Eventually.WaitUntilAsync(() => Task.FromResult(seen.Any(e => e.Kind == DiscoveryEventKind.Dropped)), "etcd discovery drops the killed worker");
        Console.WriteLine($"etcd: a SIGKILLed worker left discovery after {killed.ElapsedMilliseconds} ms (lease {LeaseSeconds} s)");

        Assert.AreEqual(second.Address, seen.Single(e => e.Kind == DiscoveryEventKind.Dropped).Worker.Address);
        Assert.IsLessThan((LeaseSeconds + 5) * 1000L, killed.ElapsedMilliseconds, "A killed worker is dropped about its lease after it died, not never.");
        Assert.AreEqual(first.ProcessId, await DiscoveryRoutines.Where().WaitAsync(Timeouts.Default));
    }

    [TestMethod]
    public async Task EtcdDiscovery_EtcdKilledAndRestarted_LosesNoLiveWorkerAndSeesNewOnes()
    {
        using var etcd = EtcdServer.Create();
        etcd.Start();
        using var secrets = new Secrets();
        string ns = $"etcd-{Guid.NewGuid():N}";
        await using var first = await StartWorkerAsync(etcd, ns, secrets.Token);
        await using var second = await StartWorkerAsync(etcd, ns, secrets.Token);
        var logs = new CapturingLoggerProvider();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        await using var discovery = new EtcdDiscovery(new EtcdDiscoveryOptions { Endpoints = [etcd.Endpoint], Namespace = ns }, loggers.CreateLogger<EtcdDiscovery>());
        await using var pool = new WorkerPool(discovery: discovery, options: WorkerPoolOptions.Default with { AccessTokenFile = secrets.Token, Quorum = 2 });
        await pool.WaitForWorkersAsync().WaitAsync(Timeouts.Default);

        using var watching = new CancellationTokenSource();
        var seen = Watch(discovery, watching.Token);
        await Eventually.WaitUntilAsync(() => Task.FromResult(seen.Count(e => e.Kind == DiscoveryEventKind.Added) == 2), "the watcher sees both workers");

        // Down for longer than the workers' leases: nothing is dropped while etcd cannot say.
        etcd.Kill();
        await Task.Delay(TimeSpan.FromSeconds(LeaseSeconds + 1));
        Assert.HasCount(2, pool.Workers);
        int[] used = [.. (await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => DiscoveryRoutines.Where())).WaitAsync(Timeouts.Default)).Distinct()];
        Assert.HasCount(2, used, "Both workers keep serving while etcd is down.");

        etcd.Start();
        await using var third = await StartWorkerAsync(etcd, ns, secrets.Token);
        await Eventually.WaitUntilAsync(() => Task.FromResult(pool.Workers.Count == 3), "the pool watches etcd again and sees the new worker");
        // Past another lease: the live workers renewed theirs on the restarted etcd.
        await Task.Delay(TimeSpan.FromSeconds(LeaseSeconds + 1));
        Assert.HasCount(3, pool.Workers);
        Assert.IsFalse(seen.Any(e => e.Kind == DiscoveryEventKind.Dropped), "No live worker was dropped: " + string.Join(", ", seen.Select(e => $"{e.Kind} {e.Worker.Address}")));
        Assert.IsTrue(logs.Messages.Any(m => m.Contains("is unreachable", StringComparison.Ordinal)), "Losing etcd is logged.");
        Assert.IsTrue(logs.Messages.Any(m => m.Contains("reachable again", StringComparison.Ordinal)), "Regaining etcd is logged.");
    }

    [TestMethod]
    public async Task EtcdDiscovery_PoolStartedWhileEtcdIsDown_ServesOnceItIsUp()
    {
        using var etcd = EtcdServer.Create();
        using var secrets = new Secrets();
        string ns = $"etcd-{Guid.NewGuid():N}";
        await using var discovery = new EtcdDiscovery(etcd.Endpoint, ns);
        await using var pool = new WorkerPool(discovery: discovery, options: WorkerPoolOptions.Default with { AccessTokenFile = secrets.Token, QuorumTimeout = Timeouts.Default });
        Task<int> call = DiscoveryRoutines.Where();
        await Task.Delay(1000);
        Assert.IsFalse(call.IsCompleted, "No worker yet: the call waits for the quorum.");

        etcd.Start();
        await using var worker = await StartWorkerAsync(etcd, ns, secrets.Token);
        var ready = Stopwatch.StartNew();

        Assert.AreEqual(worker.ProcessId, await call.WaitAsync(Timeouts.Default));
        Console.WriteLine($"etcd: a worker ran the waiting call {ready.ElapsedMilliseconds} ms after it was ready");
    }

    /// <summary>Every event of a second subscription, as it comes.</summary>
    private static System.Collections.Concurrent.ConcurrentQueue<DiscoveryEvent> Watch(EtcdDiscovery discovery, CancellationToken cancellationToken)
    {
        var seen = new System.Collections.Concurrent.ConcurrentQueue<DiscoveryEvent>();
        _ = Task.Run(async () =>
        {
            await foreach (DiscoveryEvent change in discovery.SubscribeAsync(cancellationToken))
            {
                seen.Enqueue(change);
            }
        }, CancellationToken.None);
        return seen;
    }

    private static Task<DurableWorker> StartWorkerAsync(EtcdServer etcd, string ns, string token)
        => DurableWorker.StartAsync("--discovery", "etcd", "--etcd-endpoint", etcd.Endpoint, "--namespace", ns, "--etcd-lease-ttl", $"{LeaseSeconds}", "--access-token-file", token);

    /// <summary>A private folder with the access token the workers make and the pool reads.</summary>
    private sealed class Secrets : IDisposable
    {
        private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("wool-test-token-");

        public string Token => Path.Combine(_folder.FullName, "token");

        public void Dispose() => _folder.Delete(recursive: true);
    }
}
