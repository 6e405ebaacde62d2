namespace Wool.Tests.Serialization;

/// <summary>A CancellationToken parameter is never serialized: it is the call's cancellation.</summary>
[TestClass]
public sealed class CancellationTokenTests
{
    [TestMethod]
    public async Task TokenParameter_CancelledDuringCall_CallerSeesCancellationAndFinallyRuns()
    {
        await using var pool = new InProcessPool();
        using var cancellation = new CancellationTokenSource();
        int finallyRunsBefore = SerializationRoutines.FinallyRuns;

        Task<string> call = SerializationRoutines.WaitForCancellation("never", cancellation.Token);
        await Task.Delay(50);
        cancellation.Cancel();

        await Assert.ThrowsAsync<OperationCanceledException>(() => call.WaitAsync(Timeouts.Default));
        Assert.AreEqual(finallyRunsBefore + 1, SerializationRoutines.FinallyRuns);
    }

    [TestMethod]
    public async Task TokenParameter_AlreadyCancelled_NoWorkerIsContacted()
    {
        await using var pool = new InProcessPool();

        Task<string> call = SerializationRoutines.WaitForCancellation("never", new CancellationToken(canceled: true));

        await Assert.ThrowsAsync<OperationCanceledException>(() => call.WaitAsync(Timeouts.Default));
        Assert.AreEqual(0, pool.CallCount);
    }

    [TestMethod]
    public void TokenParameter_OfWovenRoutine_IsNotAmongSerializedParameters()
    {
        var routine = Wool.Routines.RoutineRegistry.Resolve(
            typeof(SerializationRoutines).Assembly.FullName!,
            "System.Threading.Tasks.Task`1<System.String> Wool.Tests.Serialization.SerializationRoutines::WaitForCancellation(System.String,System.Threading.CancellationToken)",
            Guid.Empty);

        CollectionAssert.AreEqual(new[] { "label" }, routine.ParameterNames.ToArray());
    }
}
