using Microsoft.Extensions.Logging.Abstractions;
using Wool.Discovery;
using Wool.Tests.Workers.InMemory;
using Wool.Workers.Pool;

namespace Wool.Tests.Workers.Pool;

/// <summary>Workers taken by name (discovery, a peer list), tested in memory: the lease, waiting workers, drops and replacement.</summary>
[TestClass]
public sealed class WorkerRosterTests
{
    [TestMethod]
    public async Task Apply_MoreWorkersThanTheLease_ExtraWaitsUntilOneIsDropped()
    {
        await using var a = new InMemoryWorker();
        await using var b = new InMemoryWorker();
        await using var c = new InMemoryWorker();
        var dialer = Dialer(a, b, c);
        await using var set = new WorkerSet();
        await using var roster = new WorkerRoster(set, dialer, NullLogger.Instance, credentials: null, lease: 2, useWhileConnecting: false);

        foreach (InMemoryWorker worker in new[] { a, b, c })
        {
            roster.Apply(new DiscoveryEvent(DiscoveryEventKind.Added, worker.Info));
        }

        await Eventually.WaitUntilAsync(() => set.Connections.Length == 2);
        CollectionAssert.AreEquivalent(new[] { a.Info.Id, b.Info.Id }, set.Connections.Select(x => x.Worker.Id).ToArray(), "The lease admits the first two, in the order they appeared.");
        Assert.AreEqual(2, dialer.Dials, "The third worker must not even be dialled while the lease is full.");

        roster.Apply(new DiscoveryEvent(DiscoveryEventKind.Dropped, a.Info));

        await Eventually.WaitUntilAsync(() => set.Connections.Any(x => x.Worker.Id == c.Info.Id));
        CollectionAssert.AreEquivalent(new[] { b.Info.Id, c.Info.Id }, set.Connections.Select(x => x.Worker.Id).ToArray());
    }

    [TestMethod]
    public async Task Apply_WorkerThatRefusesConnections_IsNotUsedAndItsPlaceGoesToTheNext()
    {
        await using var live = new InMemoryWorker();
        var gone = new WorkerInfo("gone", new Uri("http://in-process/gone"), 0);
        var dialer = Dialer(live);
        await using var set = new WorkerSet();
        await using var roster = new WorkerRoster(set, dialer, NullLogger.Instance, credentials: null, lease: 1, useWhileConnecting: false);

        roster.Apply(new DiscoveryEvent(DiscoveryEventKind.Added, gone));
        roster.Apply(new DiscoveryEvent(DiscoveryEventKind.Added, live.Info));

        await Eventually.WaitUntilAsync(() => set.Connections.Length == 1);
        Assert.AreEqual(live.Info.Id, set.Connections[0].Worker.Id);
    }

    [TestMethod]
    public async Task Evicted_WorkerAtFault_FreesItsPlaceForTheNextWaitingWorker()
    {
        await using var faulty = new InMemoryWorker(admission: new ThrowingPolicy());
        await using var good = new InMemoryWorker();
        await using var set = new WorkerSet();
        await using var roster = new WorkerRoster(set, Dialer(faulty, good), NullLogger.Instance, credentials: null, lease: 1, useWhileConnecting: false);
        roster.Apply(new DiscoveryEvent(DiscoveryEventKind.Added, faulty.Info));
        roster.Apply(new DiscoveryEvent(DiscoveryEventKind.Added, good.Info));
        await Eventually.WaitUntilAsync(() => set.Connections.Length == 1);
        TestRunner.Use(new TestRunner(set.InvokeAsync, set.OpenStream));

        await Assert.ThrowsAsync<NoWorkersAvailableException>(() => InMemoryRoutines.Add(1, 1).WaitAsync(Timeouts.Default));
        await Eventually.WaitUntilAsync(() => set.Connections.Any(c => c.Worker.Id == good.Info.Id));

        Assert.AreEqual(2, await InMemoryRoutines.Add(1, 1).WaitAsync(Timeouts.Default));
    }

    [TestMethod]
    public async Task Replace_PeerNoLongerListed_IsLetGo()
    {
        await using var a = new InMemoryWorker();
        await using var b = new InMemoryWorker();
        await using var set = new WorkerSet();
        await using var roster = new WorkerRoster(set, Dialer(a, b), NullLogger.Instance, credentials: null, lease: null, useWhileConnecting: true);

        roster.Replace([a.Info, b.Info]);
        Assert.HasCount(2, set.Connections, "Peers take calls while they connect.");
        roster.Replace([b.Info]);

        Assert.AreEqual(b.Info.Id, set.Connections.Single().Worker.Id);
    }

    [TestMethod]
    public async Task NestedCall_OnAWorkerWithPeers_GoesWorkerToWorker()
    {
        var dialer = new InMemoryDialer();
        await using var callee = new InMemoryWorker(peers: dialer);
        await using var caller = new InMemoryWorker(peers: dialer);
        dialer.Add(callee);
        dialer.Add(caller);
        // The pool tells each worker its peers as the first frame of its connection.
        caller.Runtime.Peers.SetPeers([callee.Info]);
        await using var link = caller.Connect();
        TestRunner.Use(link);

        Assert.AreEqual(5, await InMemoryRoutines.AddOnPeer(2, 3).WaitAsync(Timeouts.Default));
        Assert.AreEqual(1, dialer.Dials, "The nested call must have been dialled from the caller's worker to its peer.");
    }

    private sealed class ThrowingPolicy : Wool.Admission.IAdmissionPolicy
    {
        public bool Admit(Wool.Admission.AdmissionRequest request) => throw new InvalidOperationException("policy bug");
    }

    private static InMemoryDialer Dialer(params InMemoryWorker[] workers)
    {
        var dialer = new InMemoryDialer();
        foreach (InMemoryWorker worker in workers)
        {
            dialer.Add(worker);
        }

        return dialer;
    }
}
