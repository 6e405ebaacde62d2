using Wool.Tests.Integration.Workers;

namespace Wool.Tests;

[TestClass]
public static class AssemblyCleanup
{
    /// <summary>Stops the shared worker pool, so no worker process outlives the test run.</summary>
    [AssemblyCleanup]
    public static async Task StopSharedWorkers() => await SharedWorkerPool.DisposeAsync().AsTask().WaitAsync(Timeouts.Default);
}
