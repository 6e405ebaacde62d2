using Wool.Workers;

namespace Wool.Discovery;

/// <summary>A worker's announcement: update it, or dispose it to drop the worker.</summary>
public interface IWorkerRegistration : IAsyncDisposable
{
    /// <summary>Announces new metadata for the same worker (same id).</summary>
    ValueTask UpdateAsync(WorkerInfo worker, CancellationToken cancellationToken);
}
