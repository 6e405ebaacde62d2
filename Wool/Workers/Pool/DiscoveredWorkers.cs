using Microsoft.Extensions.Logging;
using Wool.Discovery;
using Wool.Workers.Client;

namespace Wool.Workers.Pool;

/// <summary>
/// The workers a pool finds through discovery: those of its protocol and kind (TLS or not), sharing
/// a tag when the pool has tags, at most its lease at once, each used once it has passed the
/// handshake. Discovered workers are not the pool's to stop: disposal only lets go of them.
/// </summary>
internal sealed class DiscoveredWorkers : IAsyncDisposable
{
    private readonly WorkerPoolOptions _options;
    private readonly WorkerRoster _roster;
    private readonly Action _changed;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _following;

    /// <param name="discovery">Where to find workers.</param>
    /// <param name="options">The pool's tags, lease and credentials.</param>
    /// <param name="set">Where admitted workers take calls.</param>
    /// <param name="dialer">How to connect to them.</param>
    /// <param name="logger">Where refusals are logged.</param>
    /// <param name="changed">Called after every change (a quorum may have been reached).</param>
    public DiscoveredWorkers(IWorkerDiscovery discovery, WorkerPoolOptions options, WorkerSet set, IWorkerDialer dialer, ILogger logger, Action changed)
    {
        _options = options;
        _changed = changed;
        _roster = new WorkerRoster(set, dialer, logger, options.Credentials, options.Lease, useWhileConnecting: false);
        _roster.Changed += changed;
        _following = Task.Run(() => DiscoveryFeed.FollowAsync(discovery, Admissible, Apply, logger, _stop.Token), CancellationToken.None);
    }

    /// <summary>Dials again the workers refused for failing authentication (the pool's credentials rotated).</summary>
    public void RetryRefused() => _roster.RetryRefused();

    /// <summary>Stops following discovery: no worker is admitted from now on; those admitted keep serving.</summary>
    public async Task StopFollowingAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _following.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // A discovery backend that failed: the pool is going away either way.
        }
    }

    /// <summary>Stops following discovery and lets go of every discovered worker.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopFollowingAsync().ConfigureAwait(false);
        }
        finally
        {
            await _roster.DisposeAsync().ConfigureAwait(false);
            _stop.Dispose();
        }
    }

    private void Apply(DiscoveryEvent change)
    {
        _roster.Apply(change);
        _changed();
    }

    private bool Admissible(WorkerInfo worker)
        => DiscoveryFeed.Compatible(worker, secure: _options.Credentials is not null)
           && (_options.Tags.Count == 0 || worker.Tags.Intersect(_options.Tags, StringComparer.Ordinal).Any());
}
