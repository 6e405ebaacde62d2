using Microsoft.Extensions.Logging.Abstractions;
using Wool.Admission;
using Wool.Tests.Workers.InMemory;
using Wool.Workers.Client;
using Wool.Workers.Pool;

namespace Wool.Tests.Workers.Pool;

/// <summary>
/// Choosing among workers, tested in memory: a refusal before the call ran moves it to the next
/// worker, a worker at fault is evicted, and a call no worker took says why.
/// </summary>
[TestClass]
public sealed class WorkerSetTests
{
    [TestMethod]
    public async Task InvokeAsync_FirstWorkerStopping_NextWorkerTakesTheCall()
    {
        await using var stopping = new InMemoryWorker();
        await using var serving = new InMemoryWorker();
        await using var set = await SetOfAsync(stopping, serving);
        await using var held = await stopping.StopWhileBusyAsync();
        TestRunner.Use(new TestRunner(set.InvokeAsync, set.OpenStream));

        for (int i = 0; i < 4; i++)
        {
            Assert.AreEqual(i + 1, await InMemoryRoutines.Add(i, 1).WaitAsync(Timeouts.Default));
        }

        Assert.HasCount(2, set.Connections, "A stopping worker refuses transiently; it stays in the set.");
    }

    [TestMethod]
    public async Task InvokeAsync_WorkerWhosePolicyThrows_IsEvictedAndTheCallRunsElsewhere()
    {
        await using var faulty = new InMemoryWorker(admission: new ThrowingPolicy());
        await using var serving = new InMemoryWorker();
        await using var set = await SetOfAsync(faulty, serving);
        TestRunner.Use(new TestRunner(set.InvokeAsync, set.OpenStream));

        for (int i = 0; i < 4; i++)
        {
            Assert.AreEqual(2, await InMemoryRoutines.Add(1, 1).WaitAsync(Timeouts.Default));
        }

        Assert.AreEqual(serving.Info.Id, set.Connections.Single().Worker.Id);
    }

    [TestMethod]
    public async Task InvokeAsync_EveryWorkerRefuses_NoWorkersAvailableListsEachAnswer()
    {
        await using var first = new InMemoryWorker();
        await using var second = new InMemoryWorker();
        await using var set = await SetOfAsync(first, second);
        await using var firstHeld = await first.StopWhileBusyAsync();
        await using var secondHeld = await second.StopWhileBusyAsync();
        TestRunner.Use(new TestRunner(set.InvokeAsync, set.OpenStream));

        var error = await Assert.ThrowsAsync<NoWorkersAvailableException>(() => InMemoryRoutines.Add(1, 1).WaitAsync(Timeouts.Default));

        Assert.HasCount(2, error.Failures);
        Assert.IsTrue(error.Failures.All(f => f.Contains("the worker is stopping", StringComparison.Ordinal)), string.Join(" | ", error.Failures));
    }

    [TestMethod]
    public async Task OpenStream_FirstWorkerStopping_StreamOpensOnTheNext()
    {
        await using var stopping = new InMemoryWorker();
        await using var serving = new InMemoryWorker();
        await using var set = await SetOfAsync(stopping, serving);
        await using var held = await stopping.StopWhileBusyAsync();
        TestRunner.Use(new TestRunner(set.InvokeAsync, set.OpenStream));
        var items = new List<int>();

        for (int round = 0; round < 2; round++)
        {
            await foreach (int item in InMemoryRoutines.Counted(Guid.NewGuid().ToString("N"), 2).WithCancellation(new CancellationTokenSource(Timeouts.Default).Token))
            {
                items.Add(item);
            }
        }

        CollectionAssert.AreEqual(new[] { 0, 1, 0, 1 }, items);
    }

    [TestMethod]
    public async Task InvokeAsync_NoWorker_NoWorkersAvailable()
    {
        await using var set = new WorkerSet();
        TestRunner.Use(new TestRunner(set.InvokeAsync, set.OpenStream));

        var error = await Assert.ThrowsAsync<NoWorkersAvailableException>(() => InMemoryRoutines.Add(1, 1).WaitAsync(Timeouts.Default));

        StringAssert.Contains(error.Message, "the pool has no running worker");
    }

    private static async Task<WorkerSet> SetOfAsync(params InMemoryWorker[] workers)
    {
        var dialer = new InMemoryDialer();
        var set = new WorkerSet(new FirstToLast());
        foreach (InMemoryWorker worker in workers)
        {
            dialer.Add(worker);
            var connection = new WorkerConnection(worker.Info, dialer, NullLogger.Instance);
            await connection.Established.WaitAsync(Timeouts.Default);
            set.Add(connection);
        }

        return set;
    }

    /// <summary>Tries the workers in the order they were added, so a test knows which one a call meets first.</summary>
    private sealed class FirstToLast : LoadBalancing.ILoadBalancer
    {
        public IEnumerable<WorkerInfo> Order(IReadOnlyList<WorkerInfo> workers) => workers;
    }

    private sealed class ThrowingPolicy : IAdmissionPolicy
    {
        public bool Admit(AdmissionRequest request) => throw new InvalidOperationException("policy bug");
    }
}
