using Wool.Routines;
using Wool.Tests.Serialization;

namespace Wool.Tests.Integration;

/// <summary>The ambient pool: scoping, nesting, flow into child tasks, and clear errors without one.</summary>
[TestClass]
public sealed class RoutinePoolTests
{
    [TestMethod]
    public async Task Call_WithNoPoolInScope_FailsNamingRoutineAndFix()
    {
        Assert.IsNull(RoutinePool.Current);

        var error = await Assert.ThrowsExactlyAsync<RoutineInvocationException>(() => SerializationRoutines.Echo(1).WaitAsync(Timeouts.Default));

        StringAssert.Contains(error.Message, "Routine 'SerializationRoutines.Echo' was called with no worker pool: none is in scope in this async flow, and the application has none.");
        StringAssert.Contains(error.Message, "builder.Services.AddWool()");
        StringAssert.Contains(error.Message, "new InProcessPool()");
        StringAssert.Contains(error.Message, "await using var pool = new WorkerPool();");
    }

    [TestMethod]
    public async Task Call_AfterPoolDisposed_FailsNamingRoutine()
    {
        var pool = new InProcessPool();
        Func<Task<object?>> callLater = () => SerializationRoutines.Echo(1);
        Task<Task<object?>> pending = Task.Run(async () =>
        {
            await Task.Delay(100);
            return callLater();
        });

        await pool.DisposeAsync();
        var error = await Assert.ThrowsExactlyAsync<RoutineInvocationException>(async () => await (await pending.WaitAsync(Timeouts.Default)).WaitAsync(Timeouts.Default));

        StringAssert.Contains(error.Message, "Routine 'SerializationRoutines.Echo' was called through a worker pool that has been disposed");
        Assert.AreEqual(0, pool.CallCount);
    }

    [TestMethod]
    public async Task Pool_Disposed_IsNoLongerAmbient()
    {
        var pool = new InProcessPool();
        Assert.AreSame(pool, RoutinePool.Current);

        await pool.DisposeAsync();

        Assert.IsNull(RoutinePool.Current);
        Assert.IsTrue(pool.IsDisposed);
    }

    [TestMethod]
    public async Task Pools_Nested_InnermostWinsAndOuterIsRestored()
    {
        await using var outer = new InProcessPool();
        await SerializationRoutines.Echo(1).WaitAsync(Timeouts.Default);

        await using (var inner = new InProcessPool())
        {
            await SerializationRoutines.Echo(2).WaitAsync(Timeouts.Default);
            Assert.AreEqual(1, inner.CallCount);
        }

        await SerializationRoutines.Echo(3).WaitAsync(Timeouts.Default);
        Assert.AreEqual(2, outer.CallCount);
        Assert.AreSame(outer, RoutinePool.Current);
    }

    [TestMethod]
    public async Task Pool_InScope_FlowsIntoTaskRunAndWhenAllChildren()
    {
        await using var pool = new InProcessPool();

        object?[] results = await Task.WhenAll(
            Task.Run(() => SerializationRoutines.Echo("a")),
            Task.Run(async () => await SerializationRoutines.Echo("b")),
            SerializationRoutines.Echo("c")).WaitAsync(Timeouts.Default);

        CollectionAssert.AreEqual(new object[] { "a", "b", "c" }, results);
        Assert.AreEqual(3, pool.CallCount);
    }

    [TestMethod]
    public async Task Pool_CreatedInsideChildFlow_DoesNotLeakToParent()
    {
        await Task.Run(async () =>
        {
            await using var pool = new InProcessPool();
            await SerializationRoutines.Echo(1).WaitAsync(Timeouts.Default);
        }).WaitAsync(Timeouts.Default);

        Assert.IsNull(RoutinePool.Current);
    }
}
