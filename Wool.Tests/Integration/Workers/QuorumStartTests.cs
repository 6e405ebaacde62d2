using Microsoft.Extensions.DependencyInjection;

namespace Wool.Tests.Integration.Workers;

/// <summary>
/// A pool's first calls wait for its quorum, not for every worker it spawns: with <c>Quorum = 1</c>
/// the first worker that serves takes calls while the others are still starting.
/// </summary>
[TestClass]
public sealed class QuorumStartTests
{
    [TestMethod]
    public async Task QuorumOfOne_FirstCallRunsWhileTheOtherWorkerIsStillStarting()
    {
        string markers = Directory.CreateTempSubdirectory("wool-quorum-").FullName;
        Environment.SetEnvironmentVariable(SlowSecondWorkerStartup.FolderVariable, markers);
        try
        {
            await using var pool = new WorkerPool(spawn: 2, options: WorkerPoolOptions.Default with { Quorum = 1, WorkerStartup = typeof(SlowSecondWorkerStartup) });

            int ranOn = await WorkerRoutines.ProcessId().WaitAsync(Timeouts.Default);

            Assert.HasCount(1, pool.Workers, "The call must not have waited for the worker that is still starting.");
            Assert.AreEqual(pool.Workers[0].ProcessId, ranOn);
            await pool.WaitForWorkersAsync().WaitAsync(Timeouts.Default);
            Assert.HasCount(2, pool.Workers, "The second worker joins once it serves.");
        }
        finally
        {
            Environment.SetEnvironmentVariable(SlowSecondWorkerStartup.FolderVariable, null);
            Directory.Delete(markers, recursive: true);
        }
    }
}

/// <summary>The first worker of the test's pool starts at once; any later one takes 5 s (a marker file decides).</summary>
public sealed class SlowSecondWorkerStartup : IWorkerStartup
{
    public const string FolderVariable = "WOOL_TEST_QUORUM_DIR";

    public void ConfigureServices(IServiceCollection services)
    {
        if (Environment.GetEnvironmentVariable(FolderVariable) is not { } folder)
        {
            return;
        }

        try
        {
            using var first = new FileStream(Path.Combine(folder, "first"), FileMode.CreateNew);
        }
        catch (IOException)
        {
            Thread.Sleep(TimeSpan.FromSeconds(5));
        }
    }
}
