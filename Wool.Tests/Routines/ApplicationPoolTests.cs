using Wool.Tests.Serialization;

namespace Wool.Tests.Routines;

/// <summary>
/// Which pool a call uses: the ambient one of its flow, else the application's, else none (a
/// typed error saying which is missing). The application's pool is process-wide, so these tests
/// run alone.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class ApplicationPoolTests
{
    [TestMethod]
    public Task Call_WithNoAmbientPool_UsesTheApplicationPool() => InACleanFlow(async () =>
    {
        await using InProcessPool application = await CreateOutsideThisFlow();
        application.UseForApplication();

        Assert.IsNull(RoutinePool.Current, "The application's pool is not ambient.");
        Assert.AreEqual(5, await SerializationRoutines.Echo(5).WaitAsync(Timeouts.Default));
        Assert.AreEqual(1, application.CallCount);
        Assert.AreSame(application, RoutinePool.Application);
    });

    [TestMethod]
    public async Task Call_WithAnAmbientPool_UsesItRatherThanTheApplicationPool()
    {
        await using InProcessPool application = await CreateOutsideThisFlow();
        application.UseForApplication();
        await using var scoped = new InProcessPool();

        await SerializationRoutines.Echo(1).WaitAsync(Timeouts.Default);

        Assert.AreEqual(1, scoped.CallCount);
        Assert.AreEqual(0, application.CallCount);
    }

    [TestMethod]
    public Task Call_FromAThreadPoolCallbackOutsideAnyFlow_UsesTheApplicationPool() => InACleanFlow(async () =>
    {
        await using InProcessPool application = await CreateOutsideThisFlow();
        application.UseForApplication();
        var done = new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);

        ThreadPool.UnsafeQueueUserWorkItem(async _ =>
        {
            try
            {
                done.SetResult(await SerializationRoutines.Echo("from the thread pool"));
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        }, null);

        Assert.AreEqual("from the thread pool", await done.Task.WaitAsync(Timeouts.Default));
        Assert.AreEqual(1, application.CallCount);
    });

    [TestMethod]
    public Task ApplicationPool_Disposed_IsNoLongerUsed() => InACleanFlow(async () =>
    {
        InProcessPool application = await CreateOutsideThisFlow();
        application.UseForApplication();

        await application.DisposeAsync();

        Assert.IsNull(RoutinePool.Application);
        var error = await Assert.ThrowsExactlyAsync<RoutineInvocationException>(() => SerializationRoutines.Echo(1).WaitAsync(Timeouts.Default));
        StringAssert.Contains(error.Message, "none is in scope in this async flow, and the application has none");
    });

    /// <summary>Runs <paramref name="test"/> in a flow of its own, where no pool is ambient (whatever earlier tests left in the runner's context).</summary>
    private static Task InACleanFlow(Func<Task> test)
    {
        using (ExecutionContext.SuppressFlow())
        {
            return Task.Run(test);
        }
    }

    /// <summary>A pool made where it cannot become ambient in the test's flow.</summary>
    /// <remarks>Awaited, never waited on: a blocking wait may run the task inline, in the test's own context.</remarks>
    private static async Task<InProcessPool> CreateOutsideThisFlow()
    {
        Task<InProcessPool> creating;
        using (ExecutionContext.SuppressFlow())
        {
            creating = Task.Run(() => new InProcessPool());
        }

        return await creating;
    }
}
