namespace Wool.Discovery;

/// <summary>The registration of a backend whose workers are published by someone else (a list, an orchestrator's DNS): nothing to update or withdraw.</summary>
internal sealed class NoRegistration : IWorkerRegistration
{
    public static readonly NoRegistration Instance = new();

    public ValueTask UpdateAsync(WorkerInfo worker, CancellationToken cancellationToken) => default;

    public ValueTask DisposeAsync() => default;
}
