using Wool.Discovery;

namespace Wool.Tests.Integration.Discovery;

/// <summary>
/// A pool given a static list of hand-started workers (real processes, real gRPC) runs calls on
/// all of them, and reaches a listed worker that comes up after the pool started.
/// </summary>
[TestClass]
public sealed class StaticDiscoveryPoolTests
{
    [TestMethod]
    public async Task Pool_WithAStaticListOfTwoWorkers_RunsCallsOnBoth()
    {
        DirectoryInfo secrets = Directory.CreateTempSubdirectory("wool-test-token-");
        try
        {
            string token = Path.Combine(secrets.FullName, "token");
            await using var first = await DurableWorker.StartAsync("--access-token-file", token, "--listen", $"127.0.0.1:{FreePort.Next()}");
            await using var second = await DurableWorker.StartAsync("--access-token-file", token, "--listen", $"127.0.0.1:{FreePort.Next()}");

            var discovery = new StaticDiscovery(first.Address.Authority, second.Address.Authority);
            await using var pool = new WorkerPool(discovery: discovery, options: WorkerPoolOptions.Default with { AccessTokenFile = token, Quorum = 2 });
            int[] used = [.. (await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => DiscoveryRoutines.Where())).WaitAsync(Timeouts.Default)).Distinct()];

            CollectionAssert.AreEquivalent(new[] { first.ProcessId, second.ProcessId }, used);
        }
        finally
        {
            secrets.Delete(recursive: true);
        }
    }

    [TestMethod]
    public async Task Pool_WhoseListedWorkerStartsLater_ReachesItWhenTheListIsAnnouncedAgain()
    {
        DirectoryInfo secrets = Directory.CreateTempSubdirectory("wool-test-token-");
        try
        {
            string token = Path.Combine(secrets.FullName, "token");
            int port = FreePort.Next();
            var discovery = new StaticDiscovery([$"127.0.0.1:{port}"], TimeSpan.FromMilliseconds(200));
            await using var pool = new WorkerPool(discovery: discovery, options: WorkerPoolOptions.Default with { AccessTokenFile = token });
            await Task.Delay(500); // The pool has tried the address and found nothing listening.

            await using var late = await DurableWorker.StartAsync("--access-token-file", token, "--listen", $"127.0.0.1:{port}");
            int where = 0;
            await Eventually.WaitUntilAsync(async () =>
            {
                try
                {
                    where = await DiscoveryRoutines.Where();
                    return true;
                }
                catch (NoWorkersAvailableException)
                {
                    return false; // Not reconnected yet: the next announcement retries it.
                }
            }, "the pool reaches the worker that started after it");

            Assert.AreEqual(late.ProcessId, where);
        }
        finally
        {
            secrets.Delete(recursive: true);
        }
    }

}
