using Microsoft.Extensions.Logging;

namespace Wool.Workers.Code;

/// <summary>
/// Unloads the shipped builds of a <see cref="CodeStore"/> that had no call for an idle period: their
/// routines leave the registry and their load contexts are unloaded, so that, once nothing refers to
/// them, the collector takes their code and types back (logged, with the managed heap before and
/// after). A later call of the build loads it again, from the disk cache. Runs on a timer.
/// </summary>
internal sealed class BuildUnloader
{
    private readonly CodeStore _store;
    private readonly TimeSpan _idle;
    private readonly ILogger _logger;
    private readonly Timer _timer;

    public BuildUnloader(CodeStore store, TimeSpan idle, ILogger logger)
    {
        _store = store;
        _idle = idle;
        _logger = logger;
        TimeSpan period = TimeSpan.FromMilliseconds(Math.Clamp(idle.TotalMilliseconds / 4, 250, 60_000));
        _timer = new Timer(static s => ((BuildUnloader)s!).Sweep(), this, period, period);
    }

    private void Sweep()
    {
        foreach (ShippedBuild build in _store.TakeIdle(_idle))
        {
            long before = GC.GetTotalMemory(forceFullCollection: false);
            var collected = new WeakReference(build);
            build.Unload();
            CodeLog.BuildUnloaded(_logger, build.Id, _idle.TotalSeconds);
            _ = WatchCollectionAsync(build.Id, collected, before);
        }
    }

    /// <summary>Collects until the build's load context is gone (or a minute has passed), and says so.</summary>
    private async Task WatchCollectionAsync(Guid id, WeakReference context, long before)
    {
        for (int attempt = 0; attempt < 60 && context.IsAlive; attempt++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            await Task.Delay(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        }

        if (context.IsAlive)
        {
            CodeLog.BuildNotCollected(_logger, id);
        }
        else
        {
            CodeLog.BuildCollected(_logger, id, before / (1024.0 * 1024.0), GC.GetTotalMemory(forceFullCollection: true) / (1024.0 * 1024.0));
        }
    }
}
