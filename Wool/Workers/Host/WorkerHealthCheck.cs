using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Wool.Workers.Host;

/// <summary>
/// The worker's health as its probes see it (the gRPC health service maps it to SERVING /
/// NOT_SERVING): healthy while it takes calls, unhealthy from the moment it starts to stop, so an
/// orchestrator takes it out of rotation while calls in flight finish.
/// </summary>
internal sealed class WorkerHealthCheck(WorkerRuntime runtime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        => Task.FromResult(runtime.IsStopping
            ? HealthCheckResult.Unhealthy($"Stopping: {runtime.InFlight} call(s) in flight finish, new calls are refused.")
            : HealthCheckResult.Healthy());
}
