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
        using var tls = new Tls();
        string ns = $"etcd-{Guid.NewGuid():N}";
        await using var first = await StartWorkerAsync(etcd, ns, tls);
        await using var second = await StartWorkerAsync(etcd, ns, tls);
        await using var discovery = new EtcdDiscovery(etcd.Endpoint, ns);
        await using var pool = new WorkerPool(discovery: discovery, options: WorkerPoolOptions.Default with { Credentials = tls.Pool, Quorum = 2 });

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
        using var tls = new Tls();
        string ns = $"etcd-{Guid.NewGuid():N}";
        await using var first = await StartWorkerAsync(etcd, ns, tls);
        await using var second = await StartWorkerAsync(etcd, ns, tls);
        var logs = new CapturingLoggerProvider();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        await using var discovery = new EtcdDiscovery(new EtcdDiscoveryOptions { Endpoints = [etcd.Endpoint], Namespace = ns }, loggers.CreateLogger<EtcdDiscovery>());
        await using var pool = new WorkerPool(discovery: discovery, options: WorkerPoolOptions.Default with { Credentials = tls.Pool, Quorum = 2 });
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
        await using var third = await StartWorkerAsync(etcd, ns, tls);
        await Eventually.WaitUntilAsync(() => Task.FromResult(pool.Workers.Count == 3), "the pool watches etcd again and sees the new worker");
        // Past another lease: the live workers renewed theirs on the restarted etcd.
        await Task.Delay(TimeSpan.FromSeconds(LeaseSeconds + 1));
        Assert.HasCount(3, pool.Workers);
        Assert.IsFalse(seen.Any(e => e.Kind == DiscoveryEventKind.Dropped), "No live worker was dropped: " + string.Join(", ", seen.Select(e => $"{e.Kind} {e.Worker.Address}")));
        Assert.IsTrue(logs.Messages.Any(m => m.Contains("is unreachable", StringComparison.Ordinal)), "Losing etcd is logged.");
        Assert.IsTrue(logs.Messages.Any(m => m.Contains("reachable again", StringComparison.Ordinal)), "Regaining etcd is logged.");
    }

    [TestMethod]
    public async Task EtcdDiscovery_WorkersKeyDeletedByHand_IsWrittenAgainWhileItsLeaseLives()
    {
        using var etcd = EtcdServer.Create();
        etcd.Start();
        using var tls = new Tls();
        string ns = $"etcd-{Guid.NewGuid():N}";
        await using var worker = await StartWorkerAsync(etcd, ns, tls);
        await using var discovery = new EtcdDiscovery(etcd.Endpoint, ns);
        using var watching = new CancellationTokenSource();
        var seen = Watch(discovery, watching.Token);
        await Eventually.WaitUntilAsync(() => Task.FromResult(seen.Count(e => e.Kind == DiscoveryEventKind.Added) == 1), "the watcher sees the worker");

        string prefix = discovery.Options.WorkersPrefix;
        await discovery.Keys.DeleteRangeAsync(new Etcdserverpb.DeleteRangeRequest { Key = Google.Protobuf.ByteString.CopyFromUtf8(prefix), RangeEnd = EtcdDiscovery.RangeEnd(prefix) }).ResponseAsync.WaitAsync(Timeouts.Default);

        await Eventually.WaitUntilAsync(() => Task.FromResult(seen.Count(e => e.Kind == DiscoveryEventKind.Added) == 2), "the worker writes its key again");
        Assert.AreEqual(DiscoveryEventKind.Dropped, seen.ElementAt(1).Kind);
    }

    [TestMethod]
    public async Task EtcdDiscovery_PoolStartedWhileEtcdIsDown_ServesOnceItIsUp()
    {
        using var etcd = EtcdServer.Create();
        using var tls = new Tls();
        string ns = $"etcd-{Guid.NewGuid():N}";
        await using var discovery = new EtcdDiscovery(etcd.Endpoint, ns);
        await using var pool = new WorkerPool(discovery: discovery, options: WorkerPoolOptions.Default with { Credentials = tls.Pool, QuorumTimeout = Timeouts.Default });
        Task<int> call = DiscoveryRoutines.Where();
        await Task.Delay(1000);
        Assert.IsFalse(call.IsCompleted, "No worker yet: the call waits for the quorum.");

        etcd.Start();
        await using var worker = await StartWorkerAsync(etcd, ns, tls);
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

    private static Task<DurableWorker> StartWorkerAsync(EtcdServer etcd, string ns, Tls tls)
        => DurableWorker.StartAsync(["--discovery", "etcd", "--etcd-endpoint", etcd.Endpoint, "--namespace", ns, "--etcd-lease-ttl", $"{LeaseSeconds}", .. tls.Worker]);

    /// <summary>
    /// Mutual TLS for workers and pool: etcd's records name the addresses dialled, so a worker
    /// found there is authenticated by its certificate, never sent an access token.
    /// </summary>
    private sealed class Tls : IDisposable
    {
        private readonly Security.TestAuthority _authority = new();

        public Tls()
        {
            Worker = _authority.WorkerArguments(_authority.Issue("worker"));
            var (certificate, key) = _authority.IssueCaller("caller");
            Pool = Wool.Security.WorkerCredentials.FromPemFiles(_authority.AuthorityFile, certificate, key, workerIdentity: Security.TestAuthority.WorkerIdentity);
        }

        public string[] Worker { get; }

        public Wool.Security.WorkerCredentials Pool { get; }

        public void Dispose() => _authority.Dispose();
    }
}
