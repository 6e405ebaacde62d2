using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Wool.Serialization;
using Wool.Tests.Integration.Workers;

namespace Wool.Tests.Integration.Context;

/// <summary>WoolContextVar behaves as an AsyncLocal that reaches routines on workers.</summary>
[TestClass]
[DoNotParallelize]
public sealed class WoolContextTests
{
    [TestMethod]
    public async Task Parity_NestedCallsAndSiblings_SameObservationsAsAsyncLocal()
    {
        var local = new LocalHop();
        local.Write(1);
        List<string> expected = await ParityScenarios.Outer(local);
        expected.Add($"caller.after={local.Read()}");

        await SharedWorkerPool.UseAsync();
        var remote = new RemoteHop();
        remote.Write(1);
        List<string> actual = await ContextRoutines.Outer(remote).WaitAsync(Timeouts.Default);
        actual.Add($"caller.after={remote.Read()}");

        CollectionAssert.AreEqual(expected, actual, $"\nAsyncLocal: {string.Join(" ", expected)}\nWool:       {string.Join(" ", actual)}");
    }

    [TestMethod]
    public async Task Parity_StreamingRoutineSteps_SameObservationsAsAsyncLocal()
    {
        var local = new LocalHop();
        local.Write(1);
        List<string> expected = await ParityScenarios.DriveSteps(local);

        await SharedWorkerPool.UseAsync();
        var remote = new RemoteHop();
        remote.Write(1);
        List<string> actual = await ParityScenarios.DriveSteps(remote).WaitAsync(Timeouts.Default);

        CollectionAssert.AreEqual(expected, actual, $"\nAsyncLocal: {string.Join(" ", expected)}\nWool:       {string.Join(" ", actual)}");
    }

    [TestMethod]
    public async Task Value_SetInCaller_VisibleOnWorkerAndTwoHopsFurther()
    {
        WorkerPool pool = await SharedWorkerPool.UseAsync();
        string[] seen;
        using (WoolContext.Set(ContextVars.Tenant, "acme"))
        {
            seen = await ContextRoutines.TenantAcrossHops(2).WaitAsync(Timeouts.Default);
        }

        Assert.HasCount(3, seen);
        var workers = pool.Workers.Select(w => w.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
        foreach (string hop in seen)
        {
            var (tenant, process) = (hop.Split('@')[0], hop.Split('@')[1]);
            Assert.AreEqual("acme", tenant);
            Assert.IsTrue(workers.Contains(process), "Every hop must run on a worker.");
        }

        Assert.AreEqual("unknown", ContextVars.Tenant.Value, "Disposing the scope restores the previous value (the default).");
    }

    [TestMethod]
    public async Task Defaults_NotSet_DoNotTravel()
    {
        await SharedWorkerPool.UseAsync();

        string described = await ContextRoutines.Describe().WaitAsync(Timeouts.Default);

        Assert.AreEqual("tenant=unknown, tenant-set=False, request=unset", described);
    }

    [TestMethod]
    public async Task ConcurrentCalls_OnSameWorkers_NeverSeeEachOthersValues()
    {
        await SharedWorkerPool.UseAsync();

        var calls = Enumerable.Range(0, 64).Select(async i =>
        {
            ContextVars.RequestId.Value = $"request-{i}";
            var (before, after) = await ContextRoutines.ReadTwice(20 + i % 5 * 10);
            return (i, before, after);
        });
        var results = await Task.WhenAll(calls).WaitAsync(Timeouts.Default);

        foreach (var (i, before, after) in results)
        {
            Assert.AreEqual($"request-{i}", before);
            Assert.AreEqual($"request-{i}", after);
        }

        Assert.IsFalse(ContextVars.RequestId.TryGetValue(out _), "Values set in child tasks must not leak into the parent.");
        string next = await ContextRoutines.Describe().WaitAsync(Timeouts.Default);
        StringAssert.EndsWith(next, "request=unset", "A later call without the value must not see an earlier call's value.");
    }

    [TestMethod]
    public async Task UndeclaredOnWorker_ValueArrives_ReadableOnceDeclaringCodeRuns()
    {
        await SharedWorkerPool.UseAsync();

        string region;
        using (WoolContext.Set(LateVars.Region, "eu-west"))
        {
            region = await ContextRoutines.ReadLateRegion().WaitAsync(Timeouts.Default);
        }

        Assert.AreEqual("eu-west", region);
    }

    [TestMethod]
    public async Task UnserializableValue_InCaller_FailsFastNamingVariable()
    {
        await using var pool = new InProcessPool();

        using (WoolContext.Set(ContextVars.Callback, () => 42))
        {
            var error = await Assert.ThrowsExactlyAsync<WoolSerializationException>(() => ContextRoutines.Describe().WaitAsync(Timeouts.Default));
            StringAssert.Contains(error.Message, "context variable 'test.callback'");
        }

        Assert.AreEqual(0, pool.CallCount, "No worker may be contacted.");
    }

    [TestMethod]
    public async Task UnreadableValue_OnWorker_IsLoggedAndResultStillDelivered_StrictThrows()
    {
        var logs = new CapturingLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs));
        await using var pool = new WorkerPool(spawn: 1, options: WorkerPoolOptions.Default with { LoggerFactory = loggerFactory });

        using (WoolContext.Set(ContextVars.Fragile, new Fragile(7)))
        {
            Assert.AreEqual("result delivered", await ContextRoutines.IgnoreFragile().WaitAsync(Timeouts.Default));
            Assert.AreEqual("unset", await ContextRoutines.ReadFragile().WaitAsync(Timeouts.Default));

            using (WoolContext.Strict())
            {
                var error = await Assert.ThrowsExactlyAsync<WoolContextException>(() => ContextRoutines.ReadFragile().WaitAsync(Timeouts.Default));
                StringAssert.Contains(error.Message, "Context variable 'test.fragile' arrived but could not be read");
            }
        }

        using var timeout = new CancellationTokenSource(Timeouts.Default);
        while (!logs.Messages.Any(m => m.Contains("Context variable 'test.fragile' arrived but could not be read", StringComparison.Ordinal)))
        {
            await Task.Delay(20, timeout.Token);
        }
    }

    [TestMethod]
    public Task DispatchTimeout_WorkerFrozen_CallsGoToAnotherWorkerAndNoneRunsTwice()
        => AssertFrozenWorkerSkippedAsync(6, async (ledger, i) => (await WorkerRoutines.RecordOnce(ledger, i, 0)).ToString(System.Globalization.CultureInfo.InvariantCulture), i => $"{i}");

    [TestMethod]
    public Task DispatchTimeout_WorkerFrozen_StreamsOpenOnAnotherWorkerAndNoneRunsTwice()
        => AssertFrozenWorkerSkippedAsync(4, (ledger, i) => Routines.BothBuilds.JoinAsync(LedgerStreams.RecordOnce(ledger, i)), i => $"{i},{i},{i}");

    [TestMethod]
    public async Task DispatchTimeout_TravelsWithTheCall_NestedDispatchInheritsIt()
    {
        await SharedWorkerPool.UseAsync();

        double? nested;
        using (WoolContext.DispatchTimeout(TimeSpan.FromSeconds(7)))
        {
            nested = await ContextRoutines.ReadDispatchTimeoutOneHopFurther().WaitAsync(Timeouts.Default);
        }

        Assert.AreEqual(7000, nested);
        Assert.IsNull(WoolContext.CurrentDispatchTimeout);
    }

    private static readonly WoolContextVar<int> s_declaredFirst = new("test.duplicate");

    /// <summary>
    /// With one of two workers frozen and tried first by every call, <paramref name="count"/> calls
    /// under a 300 ms dispatch timeout all complete on the other worker; once the frozen one thaws
    /// and reads the calls it was sent (after their deadline), the ledger shows none ran twice.
    /// </summary>
    private static async Task AssertFrozenWorkerSkippedAsync(int count, Func<string, int, Task<string>> call, Func<int, string> expected)
    {
        string ledger = Directory.CreateTempSubdirectory("wool-dispatch-").FullName;
        var frozenFirst = new PreferredWorkerFirst();
        await using var pool = new WorkerPool(spawn: 2, options: WorkerPoolOptions.Default with { LoadBalancer = frozenFirst });
        await pool.WaitForWorkersAsync().WaitAsync(Timeouts.Default);
        WorkerInfo frozen = pool.Workers[0];
        frozenFirst.ProcessId = frozen.ProcessId;
        using (FrozenProcess.Freeze(frozen.ProcessId))
        using (WoolContext.DispatchTimeout(TimeSpan.FromMilliseconds(300)))
        {
            var watch = Stopwatch.StartNew();
            string[] results = await Task.WhenAll(Enumerable.Range(0, count).Select(i => call(ledger, i))).WaitAsync(Timeouts.Default);
            CollectionAssert.AreEqual(Enumerable.Range(0, count).Select(expected).ToArray(), results);
            Assert.IsLessThan(5_000, watch.ElapsedMilliseconds);
        }

        // Thawed. A probe travels on the same stream as the late calls, after them: once it is
        // answered, the worker has handled every one of them, and any it wrongly ran is in flight.
        Assert.AreEqual(frozen.ProcessId, await Discovery.DiscoveryRoutines.Where().WaitAsync(Timeouts.Default));
        using (var idle = new CancellationTokenSource(Timeouts.Default))
        {
            while ((await pool.GetStatusAsync(frozen, idle.Token)).InFlight > 0)
            {
                await Task.Delay(20, idle.Token);
            }
        }

        Assert.IsEmpty(Directory.GetFiles(ledger, "duplicate-*"), "A call ran twice.");
        Assert.HasCount(count, Directory.GetFiles(ledger));
        Directory.Delete(ledger, recursive: true);
    }

    /// <summary>Tries one chosen worker first, then the others.</summary>
    private sealed class PreferredWorkerFirst : Wool.LoadBalancing.ILoadBalancer
    {
        public volatile int ProcessId;

        public IEnumerable<WorkerInfo> Order(IReadOnlyList<WorkerInfo> candidates) => candidates.OrderBy(w => w.ProcessId == ProcessId ? 0 : 1);
    }

    [TestMethod]
    public void Declaration_SecondVariableWithSameName_FailsNamingBothDeclarations()
    {
        Assert.AreEqual("test.duplicate", s_declaredFirst.Name);

        var error = Assert.ThrowsExactly<WoolContextException>(() => new WoolContextVar<int>("test.duplicate"));

        StringAssert.Contains(error.Message, "A context variable named 'test.duplicate' is already declared (declared by Wool.Tests.Integration.Context.WoolContextTests..cctor");
        StringAssert.Contains(error.Message, nameof(Declaration_SecondVariableWithSameName_FailsNamingBothDeclarations));
    }

    [TestMethod]
    public void Value_UnsetWithoutDefault_ThrowsSayingHowToFix()
    {
        var error = Assert.ThrowsExactly<WoolContextException>(() => ContextVars.RequestId.Value);

        StringAssert.Contains(error.Message, "'test.request-id' is not set in this flow and has no default");
        Assert.IsFalse(ContextVars.RequestId.TryGetValue(out _));
    }

    [TestMethod]
    public void Scope_Disposed_RestoresPreviousValue()
    {
        ContextVars.Tenant.Value = "outer";
        using (WoolContext.Set(ContextVars.Tenant, "inner"))
        {
            Assert.AreEqual("inner", ContextVars.Tenant.Value);
        }

        Assert.AreEqual("outer", ContextVars.Tenant.Value);
        ContextVars.Tenant.Unset();
        Assert.AreEqual("unknown", ContextVars.Tenant.Value);
    }
}
