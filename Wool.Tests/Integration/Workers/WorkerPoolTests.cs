using Wool.Tests.Serialization;
using D = Wool.Tests.Fixtures;
using O = Wool.Tests.Fixtures.Optimized;

namespace Wool.Tests.Integration.Workers;

/// <summary>Routines run in real worker processes, over gRPC, with the semantics of a local call.</summary>
[TestClass]
[DoNotParallelize]
public sealed class WorkerPoolTests
{
    [TestMethod]
    public async Task Call_OnWorkerPool_RunsInAnotherProcessOfThePool()
    {
        WorkerPool pool = await SharedWorkerPool.UseAsync();

        int processId = await WorkerRoutines.ProcessId().WaitAsync(Timeouts.Default);

        Assert.AreNotEqual(Environment.ProcessId, processId);
        CollectionAssert.Contains(pool.Workers.Select(w => w.ProcessId).ToList(), processId);
    }

    [TestMethod]
    public async Task Call_EveryReturnTypeInBothBuilds_ReturnsResult()
    {
        await SharedWorkerPool.UseAsync();

        Assert.AreEqual(3, await D.StaticShapes.PublicAdd(1, 2).WaitAsync(Timeouts.Default));
        Assert.AreEqual(3, await O.StaticShapes.PublicAdd(1, 2).WaitAsync(Timeouts.Default));
        await D.StaticShapes.Check(1).WaitAsync(Timeouts.Default);
        await O.StaticShapes.Check(1).WaitAsync(Timeouts.Default);
        Assert.AreEqual("Hello, Ada!", await D.StaticShapes.Greet("Ada").AsTask().WaitAsync(Timeouts.Default));
        Assert.AreEqual("Hello, Ada!", await O.StaticShapes.Greet("Ada").AsTask().WaitAsync(Timeouts.Default));
        await D.StaticShapes.CheckValueTask(1).AsTask().WaitAsync(Timeouts.Default);
        await O.StaticShapes.CheckValueTask(1).AsTask().WaitAsync(Timeouts.Default);
        Assert.AreEqual("5,6,7", await Routines.BothBuilds.JoinAsync(D.StaticShapes.Range(5, 3)).WaitAsync(Timeouts.Default));
        Assert.AreEqual("5,6,7", await Routines.BothBuilds.JoinAsync(O.StaticShapes.Range(5, 3)).WaitAsync(Timeouts.Default));
        Assert.AreEqual(new KeyValuePair<string, int>("k", 1), await new D.Box<string> { Value = "k" }.PairWith(1).AsTask().WaitAsync(Timeouts.Default));
        Assert.AreEqual(11, await O.ClosureShapes.LocalFunctionCapturingLocals(1).WaitAsync(Timeouts.Default));
        Assert.AreEqual(12, await new D.Multiplier { Factor = 3 }.LambdaCapturingThis(4).WaitAsync(Timeouts.Default));
    }

    [TestMethod]
    public async Task GenericRoutine_CalledWithDifferentTypeArgumentsOnOneConnection_RunsEachWithItsOwn()
    {
        await using var pool = new WorkerPool(spawn: 1);

        for (int round = 0; round < 3; round++)
        {
            Assert.AreEqual("Int32", await D.GenericShapes.TypeName<int>().WaitAsync(Timeouts.Default));
            Assert.AreEqual("String", await D.GenericShapes.TypeName<string>().WaitAsync(Timeouts.Default));
            Assert.AreEqual("Scaler", await O.GenericShapes.TypeName<O.Scaler>().WaitAsync(Timeouts.Default));
            Assert.AreEqual(7L, await D.GenericShapes.Echo(7L).WaitAsync(Timeouts.Default));
            Assert.AreEqual("seven", await D.GenericShapes.Echo("seven").WaitAsync(Timeouts.Default));
        }
    }

    [TestMethod]
    public async Task Routine_Throws_CallerCatchesItsTypeMessageAndRemoteStackTrace()
    {
        await SharedWorkerPool.UseAsync();

        try
        {
            await SerializationRoutines.ThrowRejected(5).WaitAsync(Timeouts.Default);
            Assert.Fail("The routine's exception must reach the caller.");
        }
        catch (OrderRejectedException e)
        {
            Assert.AreEqual("Order rejected with code 5.", e.Message);
            Assert.AreEqual(5, e.Code);
            Assert.AreEqual("Out of stock.", e.InnerException?.Message);
            string text = e.ToString();
            StringAssert.Contains(text, "SerializationRoutines.ThrowRejected");
            StringAssert.Contains(text, "--- End of stack trace from previous location ---");
        }
    }

    [TestMethod]
    public async Task TokenParameter_CancelledInCaller_CancelsOnWorkerAndFinallyRunsThere()
    {
        await SharedWorkerPool.UseAsync();
        string marker = Path.Combine(Path.GetTempPath(), $"wool-cancel-{Guid.NewGuid():N}");
        using var cancellation = new CancellationTokenSource();

        Task<int> call = WorkerRoutines.WaitWithMarkers(marker, 60_000, cancellation.Token);
        await WaitForFileAsync(marker + ".started");
        cancellation.Cancel();

        await Assert.ThrowsAsync<OperationCanceledException>(() => call.WaitAsync(Timeouts.Default));
        Assert.IsTrue(File.Exists(marker + ".finally"), "The routine's finally block must have run on the worker.");
        int workerProcessId = int.Parse(File.ReadAllText(marker + ".started"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.AreNotEqual(Environment.ProcessId, workerProcessId);
        File.Delete(marker + ".started");
        File.Delete(marker + ".finally");
    }

    [TestMethod]
    public async Task InstanceRoutineAndClosure_MutatedOnWorker_CallerKeepsItsOwnValues()
    {
        await SharedWorkerPool.UseAsync();
        var counter = new D.Counter { Start = 1 };

        int result = await counter.AddTo(2).WaitAsync(Timeouts.Default);
        var (inRoutine, inCaller) = await O.ClosureShapes.MutationDoesNotFlowBack().WaitAsync(Timeouts.Default);

        Assert.AreEqual(3, result);
        Assert.IsEmpty(counter.Log);
        Assert.AreEqual((4, 3), (inRoutine, inCaller));
    }

    [TestMethod]
    public async Task NestedDispatch_RecursiveFibonacci_RunsAcrossWorkersOfThePool()
    {
        WorkerPool pool = await SharedWorkerPool.UseAsync();

        var (value, processIds) = await WorkerRoutines.Fibonacci(10).WaitAsync(Timeouts.Default);

        Assert.AreEqual(55, value);
        Assert.HasCount(177, processIds, "Every call of the recursion must have been dispatched.");
        var workers = pool.Workers.Select(w => w.ProcessId).ToHashSet();
        Assert.IsTrue(processIds.All(workers.Contains), "Nested calls must run on the pool's workers, never in the caller.");
        Assert.AreEqual(workers.Count, processIds.Distinct().Count(), "Nested calls must be spread over every worker.");
    }

    [TestMethod]
    public async Task Load_1000ConcurrentCallsOn4Workers_AllCompleteSpreadRoundRobin()
    {
        WorkerPool pool = await SharedWorkerPool.UseAsync();

        int[] processIds = await Task.WhenAll(Enumerable.Range(0, 1000).Select(_ => WorkerRoutines.ProcessIdAfter(1))).WaitAsync(Timeouts.Default);

        var perWorker = processIds.GroupBy(p => p).ToDictionary(g => g.Key, g => g.Count());
        Assert.HasCount(4, perWorker);
        foreach (var (worker, calls) in perWorker)
        {
            Assert.AreEqual(250, calls, $"Round-robin must give worker {worker} a quarter of the calls.");
        }
    }

    [TestMethod]
    public async Task Stream_OnWorker_YieldsEveryItemInOrder()
    {
        await SharedWorkerPool.UseAsync();

        string items = await Routines.BothBuilds.JoinAsync(WorkerRoutines.Count(200)).WaitAsync(Timeouts.Default);

        Assert.AreEqual(string.Join(",", Enumerable.Range(0, 200)), items);
    }

    [TestMethod]
    public async Task FirstCalls_ConcurrentOnFreshWorkers_EveryRoutineIsFound()
    {
        // A fresh worker registers an assembly's routines one by one while its module initializer
        // runs; concurrent first calls must wait for all of them, not see a partial table.
        for (int round = 0; round < 3; round++)
        {
            await using var pool = new WorkerPool(spawn: 2);
            await pool.WaitForWorkersAsync().WaitAsync(Timeouts.Default);

            var calls = Enumerable.Range(0, 10).SelectMany(i => new Task[]
            {
                O.GenericShapes.Echo(i),
                O.ClosureShapes.StaticLocalFunction(i),
                new O.Multiplier { Factor = 2 }.LambdaCapturingThis(i),
                O.Outer.CallPrivateNested("n", i),
                new O.Counter { Start = i }.AddTo(1),
            });
            await Task.WhenAll(calls).WaitAsync(Timeouts.Default);
        }
    }

    internal static async Task WaitForFileAsync(string path)
    {
        using var timeout = new CancellationTokenSource(Timeouts.Default);
        while (!File.Exists(path))
        {
            await Task.Delay(20, timeout.Token);
        }
    }
}
