using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Wool.Hosting;

/// <summary>
/// The application's pool as a health check (<c>wool</c>): healthy when every spawned worker (and
/// at least one worker) serves, degraded below that with why (a worker being replaced, one dying
/// young again and again), unhealthy with no worker at all or before the host has started it.
/// </summary>
internal sealed class WorkerPoolHealthCheck(ApplicationPoolService service) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (service.Started is not { } pool)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("The application's worker pool is not running (the host has not started, or is stopping)."));
        }

        int serving = pool.Workers.Count;
        int expected = Math.Max(1, pool.Size);
        IReadOnlyCollection<string> replacing = pool.Spawned?.Replacing ?? [];
        var data = new Dictionary<string, object> { ["workers"] = serving, ["spawned"] = pool.Size };
        string why = replacing.Count > 0 ? " " + string.Join("; ", replacing) + "." : "";
        HealthCheckResult result = serving == 0
            ? HealthCheckResult.Unhealthy($"No worker serves the application's pool.{why}", data: data)
            : serving < expected || replacing.Count > 0
                ? HealthCheckResult.Degraded($"{serving} of {expected} workers serve.{why}", data: data)
                : HealthCheckResult.Healthy($"{serving} workers serve.", data);
        return Task.FromResult(result);
    }
}
