using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Wool.Discovery;
using Wool.LoadBalancing;

namespace Wool.Tests.Integration.Discovery;

/// <summary>Workers find each other and pools find workers through discovery, with no coordinator.</summary>
[TestClass]
[DoNotParallelize]
public sealed class DiscoveryTests
{
    private static string NewNamespace() => $"test-{Guid.NewGuid():N}";

    private static async Task<HashSet<int>> WhereAsync(int calls)
        => [.. await Task.WhenAll(Enumerable.Range(0, calls).Select(_ => DiscoveryRoutines.Where())).WaitAsync(Timeouts.Default)];

    [TestMethod]
    public async Task LocalDiscovery_PublishedThenDisposed_SubscriberSeesAddedThenDropped()
    {
        var discovery = new LocalDiscovery(NewNamespace());
        using var timeout = new CancellationTokenSource(Timeouts.Default);
        await using var events = discovery.SubscribeAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);
        var worker = new WorkerInfo("w1", new Uri("http://127.0.0.1:1"), 42) { Tags = ["gpu"] };

        var registration = await discovery.PublishAsync(worker, timeout.Token);
        Assert.IsTrue(await events.MoveNextAsync());
        Assert.AreEqual(DiscoveryEventKind.Added, events.Current.Kind);
        Assert.AreEqual(("w1", 42, "gpu"), (events.Current.Worker.Id, events.Current.Worker.ProcessId, events.Current.Worker.Tags.Single()));

        await registration.UpdateAsync(worker with { Tags = ["gpu", "big"] }, timeout.Token);
        Assert.IsTrue(await events.MoveNextAsync());
        Assert.AreEqual(DiscoveryEventKind.Updated, events.Current.Kind);

        await registration.DisposeAsync();
        Assert.IsTrue(await events.MoveNextAsync());
        Assert.AreEqual(DiscoveryEventKind.Dropped, events.Current.Kind);
    }

    [TestMethod]
    public async Task DurableWorker_KilledWithSigkill_DisappearsFromTheView()
    {
        string ns = NewNamespace();
        await using var worker = await DurableWorker.StartAsync("--discovery", "local", "--namespace", ns);
        var discovery = new LocalDiscovery(ns);
        using var timeout = new CancellationTokenSource(Timeouts.Default);
        await using var events = discovery.SubscribeAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);

        Assert.IsTrue(await events.MoveNextAsync());
        Assert.AreEqual((DiscoveryEventKind.Added, worker.ProcessId), (events.Current.Kind, events.Current.Worker.ProcessId));
        var watch = Stopwatch.StartNew();
        worker.Kill();

        Assert.IsTrue(await events.MoveNextAsync());
        Assert.AreEqual(DiscoveryEventKind.Dropped, events.Current.Kind);
        Assert.IsLessThan(3_000, watch.ElapsedMilliseconds);
        Assert.IsEmpty(WorkerFiles(discovery), "The crashed worker's entry (and socket) must be removed, not served forever.");
    }

    [TestMethod]
    public async Task DiscoveryOnlyPool_WithTwoDurableWorkers_RunsRoutinesOnThemPeerToPeer()
    {
        string ns = NewNamespace();
        await using var first = await DurableWorker.StartAsync("--discovery", "local", "--namespace", ns);
        await using var second = await DurableWorker.StartAsync("--discovery", "local", "--namespace", ns);
        int[] durable = [first.ProcessId, second.ProcessId];

        await using var pool = new WorkerPool(discovery: new LocalDiscovery(ns), options: WorkerPoolOptions.Default with { Quorum = 2 });
        HashSet<int> used = await WhereAsync(8);

        Assert.AreEqual(0, pool.Size, "A discovery-only pool spawns nothing.");
        CollectionAssert.AreEquivalent(durable, used.ToArray());

        // Each worker builds its own view of its peers (discovery is eventually consistent: a
        // worker may not have seen the other for a scan interval), so nested calls reach both soon.
        using var timeout = new CancellationTokenSource(Timeouts.Default);
        int[] spread;
        do
        {
            spread = await DiscoveryRoutines.Spread(3).WaitAsync(timeout.Token);
            Assert.HasCount(15, spread);
            Assert.IsTrue(spread.All(durable.Contains), "Nested calls must stay among the discovered workers, never the caller.");
        }
        while (spread.Distinct().Count() < 2 && !timeout.IsCancellationRequested);

        Assert.AreEqual(2, spread.Distinct().Count(), "Each discovered worker dispatches to the peers it discovered itself.");
    }

    [TestMethod]
    public async Task HybridPool_SpawnsAndAdmitsDiscovered_UsesBoth()
    {
        string ns = NewNamespace();
        await using var durable = await DurableWorker.StartAsync("--discovery", "local", "--namespace", ns);

        await using var pool = new WorkerPool(spawn: 1, discovery: new LocalDiscovery(ns), options: WorkerPoolOptions.Default with { Quorum = 2 });
        HashSet<int> used = await WhereAsync(8);

        Assert.HasCount(2, used);
        Assert.IsTrue(used.Contains(durable.ProcessId));
        Assert.AreEqual(1, pool.Size);
    }

    [TestMethod]
    public async Task Tags_PoolWithTag_UsesOnlyWorkersSharingIt()
    {
        string ns = NewNamespace();
        await using var gpu = await DurableWorker.StartAsync("--discovery", "local", "--namespace", ns, "--tag", "gpu");
        await using var cpu = await DurableWorker.StartAsync("--discovery", "local", "--namespace", ns, "--tag", "cpu");

        await using var pool = new WorkerPool(discovery: new LocalDiscovery(ns), options: WorkerPoolOptions.Default with { Tags = ["gpu"] });
        await Task.Delay(600); // time for the untagged worker to be seen (and ignored)
        HashSet<int> used = await WhereAsync(8);

        CollectionAssert.AreEqual(new[] { gpu.ProcessId }, used.ToArray());
    }

    [TestMethod]
    public async Task Lease_OfOne_AdmitsOneWorkerAndReplacesItWhenItLeaves()
    {
        string ns = NewNamespace();
        await using var first = await DurableWorker.StartAsync("--discovery", "local", "--namespace", ns);
        await using var second = await DurableWorker.StartAsync("--discovery", "local", "--namespace", ns);

        await using var pool = new WorkerPool(discovery: new LocalDiscovery(ns), options: WorkerPoolOptions.Default with { Lease = 1 });
        await Task.Delay(600);
        HashSet<int> before = await WhereAsync(8);
        Assert.HasCount(1, before, "A lease of one admits one discovered worker.");

        (before.Single() == first.ProcessId ? first : second).Kill();
        using var timeout = new CancellationTokenSource(Timeouts.Default);
        HashSet<int> after = [];
        while (after.Count == 0 || after.Contains(before.Single()))
        {
            await Task.Delay(100, timeout.Token);
            try
            {
                after = await WhereAsync(4);
            }
            catch (WoolException)
            {
                // The lost worker may still be tried while the pool learns it is gone.
            }
        }

        Assert.HasCount(1, after);
        Assert.IsFalse(after.Contains(before.Single()), "Workers that leave are not used.");
    }

    [TestMethod]
    public async Task Quorum_NotReached_FirstCallFailsAfterTimeout_ThenJoiningWorkerIsUsed()
    {
        string ns = NewNamespace();
        await using var first = await DurableWorker.StartAsync("--discovery", "local", "--namespace", ns);
        await using var pool = new WorkerPool(discovery: new LocalDiscovery(ns), options: WorkerPoolOptions.Default with { Quorum = 2, QuorumTimeout = TimeSpan.FromSeconds(1) });

        var error = await Assert.ThrowsExactlyAsync<NoWorkersAvailableException>(() => DiscoveryRoutines.Where().WaitAsync(Timeouts.Default));
        StringAssert.Contains(error.Message, "waited 1 s for 2 worker(s)");

        var watch = Stopwatch.StartNew();
        await using var joining = await DurableWorker.StartAsync("--discovery", "local", "--namespace", ns);
        long ready = watch.ElapsedMilliseconds;
        using var timeout = new CancellationTokenSource(Timeouts.Default);
        while (!(await WhereAsync(4)).Contains(joining.ProcessId))
        {
            await Task.Delay(20, timeout.Token);
        }

        Console.WriteLine($"worker start to ready: {ready} ms; to the pool's first dispatch on it: {watch.ElapsedMilliseconds} ms");
    }

    [TestMethod]
    public void Constructor_ContradictoryArguments_AreClearErrors()
    {
        var noDiscovery = Assert.ThrowsExactly<ArgumentException>(() => new WorkerPool(spawn: 1, options: WorkerPoolOptions.Default with { Lease = 2 }));
        var unreachable = Assert.ThrowsExactly<ArgumentException>(() => new WorkerPool(spawn: 1, options: WorkerPoolOptions.Default with { Quorum = 3 }));
        var nothing = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new WorkerPool(spawn: 0));
        Assert.ThrowsExactly<ArgumentException>(() => new LocalDiscovery("../escape"));

        StringAssert.Contains(noDiscovery.Message, "this pool has no discovery");
        StringAssert.Contains(unreachable.Message, "A quorum of 3 can never be reached");
        StringAssert.Contains(nothing.Message, "pass a discovery to use workers started elsewhere");
        Assert.IsNull(RoutinePool.Current);
    }

    [TestMethod]
    public async Task CustomDiscovery_ImplementedByUser_FeedsThePool()
    {
        DirectoryInfo secrets = Directory.CreateTempSubdirectory("wool-test-token-");
        try
        {
            string token = Path.Combine(secrets.FullName, "token");
            await using var durable = await DurableWorker.StartAsync("--access-token-file", token);
            var custom = new ListDiscovery();
            await custom.PublishAsync(new WorkerInfo("by-hand", durable.Address, durable.ProcessId), CancellationToken.None);

            await using var pool = new WorkerPool(discovery: custom, options: WorkerPoolOptions.Default with { AccessTokenFile = token });
            HashSet<int> used = await WhereAsync(4);

            CollectionAssert.AreEqual(new[] { durable.ProcessId }, used.ToArray());
        }
        finally
        {
            secrets.Delete(recursive: true);
        }
    }

    [TestMethod]
    public async Task CustomDiscovery_PoolWithoutTheWorkersToken_IsRefusedWithAccessTokenRefused()
    {
        DirectoryInfo secrets = Directory.CreateTempSubdirectory("wool-test-token-");
        try
        {
            await using var durable = await DurableWorker.StartAsync("--access-token-file", Path.Combine(secrets.FullName, "token"));
            var custom = new ListDiscovery();
            await custom.PublishAsync(new WorkerInfo("by-hand", durable.Address, durable.ProcessId), CancellationToken.None);

            await using var pool = new WorkerPool(discovery: custom, options: WorkerPoolOptions.Default with { AccessTokenFile = Path.Combine(secrets.FullName, "another") });

            var error = await Assert.ThrowsAsync<NoWorkersAvailableException>(() => DiscoveryRoutines.Where().WaitAsync(Timeouts.Default));
            Assert.IsInstanceOfType<WorkerAuthenticationException>(error.InnerException, error.Message);
            Assert.AreEqual(AuthenticationFailure.AccessTokenRefused, ((WorkerAuthenticationException)error.InnerException).Failure, error.Message);
        }
        finally
        {
            secrets.Delete(recursive: true);
        }
    }

    private static string[] WorkerFiles(LocalDiscovery discovery)
        => Directory.Exists(discovery.Folder) ? [.. Directory.GetFiles(discovery.Folder).Where(f => Path.GetFileName(f) != "access-token")] : [];

    [TestMethod]
    public async Task CustomLoadBalancer_OrdersCandidates_PoolFollowsIt()
    {
        await using var pool = new WorkerPool(spawn: 3, options: WorkerPoolOptions.Default with { LoadBalancer = new LastFirst() });
        await pool.WaitForWorkersAsync().WaitAsync(Timeouts.Default);

        HashSet<int> used = await WhereAsync(6);

        CollectionAssert.AreEqual(new[] { pool.Workers[^1].ProcessId }, used.ToArray());
    }

    [TestMethod]
    public async Task DurableWorker_Sigterm_DropsOutAndExitsGracefully()
    {
        string ns = NewNamespace();
        await using var worker = await DurableWorker.StartAsync("--discovery", "local", "--namespace", ns);
        var discovery = new LocalDiscovery(ns);

        await worker.TerminateAsync();

        Assert.AreEqual(0, worker.ExitCode);
        Assert.IsEmpty(WorkerFiles(discovery));
    }

    private sealed class LastFirst : ILoadBalancer
    {
        public IEnumerable<WorkerInfo> Order(IReadOnlyList<WorkerInfo> candidates) => candidates.Reverse();
    }
}
