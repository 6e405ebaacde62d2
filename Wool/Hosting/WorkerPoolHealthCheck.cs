using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Wool.Hosting;

/// <summary>
/// The application's pool as a health check (<c>wool</c>): healthy when every spawned worker (and
/// at least one worker) serves, degraded below that with why (a worker being replaced, one dying
/// young again and again), unhealthy with no worker at all or before the host has started it.
/// </summary>
internal sealed class WorkerPoolHealthCheck(ApplicationPoolService service) : IHealthCheck
{
    private static string Why(IReadOnlyCollection<string> replacing) => replacing.Count > 0 ? " " + string.Join("; ", replacing) + "." : "";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (service.Started is not { } pool)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("The application's worker pool is not running (the host has not started, or is stopping)."));
        }

        int serving = pool.Workers.Count;
        IReadOnlyCollection<string> replacing = pool.Spawned?.Replacing ?? [];
        var data = new Dictionary<string, object> { ["workers"] = serving, ["spawned"] = pool.Size, ["replacing"] = replacing.Count };
        HealthCheckResult result = serving == 0
            ? HealthCheckResult.Unhealthy($"No worker serves the application's pool.{Why(replacing)}", data: data)
            : replacing.Count > 0
                ? HealthCheckResult.Degraded($"{serving} workers serve; {replacing.Count} of the {pool.Size} spawned are being replaced.{Why(replacing)}", data: data)
                : serving < pool.Size
                    ? HealthCheckResult.Degraded($"{serving} of {pool.Size} spawned workers serve.", data: data)
                    : HealthCheckResult.Healthy($"{serving} workers serve.", data);
        return Task.FromResult(result);
    }
}
