using Microsoft.Extensions.Hosting;

namespace Wool.Workers.Host;

/// <summary>A host lifetime that installs no signal handlers: the worker decides how it stops.</summary>
internal sealed class PassiveHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
