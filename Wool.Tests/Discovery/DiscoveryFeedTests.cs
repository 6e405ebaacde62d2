using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Wool.Discovery;

namespace Wool.Tests.Discovery;

/// <summary>A discovery backend that breaks is said out loud, not silently left behind.</summary>
[TestClass]
public sealed class DiscoveryFeedTests
{
    [TestMethod]
    public async Task Pool_WhoseDiscoveryThrows_LogsThatDiscoveryStopped()
    {
        var logs = new CapturingLoggerProvider();
        using var loggers = LoggerFactory.Create(builder => builder.AddProvider(logs));

        await using var pool = new WorkerPool(discovery: new Broken(), options: WorkerPoolOptions.Default with { LoggerFactory = loggers });

        await Eventually.WaitUntilAsync(
            () => Task.FromResult(logs.Messages.Any(m => m.Contains("Discovery (Broken) failed and stopped: the backend's server is gone", StringComparison.Ordinal))),
            "the pool logs the broken discovery");
    }

    private sealed class Broken : IWorkerDiscovery
    {
        public ValueTask<IWorkerRegistration> PublishAsync(WorkerInfo worker, CancellationToken cancellationToken) => throw new NotSupportedException();

        public async IAsyncEnumerable<DiscoveryEvent> SubscribeAsync([EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.Yield();
            throw new InvalidOperationException("the backend's server is gone");
#pragma warning disable CS0162 // an iterator needs a yield
            yield break;
#pragma warning restore CS0162
        }
    }
}
