using Microsoft.Extensions.Logging;

namespace Wool.Discovery;

/// <summary>
/// One etcd activity's retries: the wait doubles from the minimum to the maximum interval while
/// attempts fail; the first failure and the recovery are logged once each, not every attempt. Not
/// thread-safe: one per loop.
/// </summary>
/// <param name="options">The retry intervals and endpoints.</param>
/// <param name="logger">Where the failure and the recovery are logged.</param>
/// <param name="activity">What is retried, as the log says it.</param>
/// <param name="longest">A cap below <see cref="EtcdDiscoveryOptions.MaxRetryInterval"/>, if any.</param>
internal sealed class EtcdBackoff(EtcdDiscoveryOptions options, ILogger logger, string activity, TimeSpan? longest = null)
{
    private readonly TimeSpan _longest = longest is { } cap && cap < options.MaxRetryInterval ? TimeSpan.FromTicks(Math.Max(cap.Ticks, options.MinRetryInterval.Ticks)) : options.MaxRetryInterval;
    private TimeSpan _wait = options.MinRetryInterval;
    private bool _failing;

    /// <summary>The attempt worked: logs the recovery after failures and resets the wait.</summary>
    public void Succeeded(int workers)
    {
        if (_failing)
        {
            DiscoveryLog.EtcdRecovered(logger, activity, workers);
        }

        _failing = false;
        _wait = options.MinRetryInterval;
    }

    /// <summary>The attempt failed: logs it when it is the first of a run, then waits before the next.</summary>
    public async Task FailedAsync(string reason, int workers, CancellationToken cancellationToken)
    {
        if (!_failing)
        {
            DiscoveryLog.EtcdFailed(logger, activity, string.Join(", ", options.Endpoints), reason, workers);
        }

        _failing = true;
        TimeSpan wait = _wait;
        _wait = TimeSpan.FromTicks(Math.Min(_wait.Ticks * 2, _longest.Ticks));
        await Task.Delay(wait, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <summary>What went wrong, in a few words for the log.</summary>
    public static string Reason(Exception error)
        => error is Grpc.Core.RpcException rpc ? (rpc.Status.Detail is { Length: > 0 } detail ? detail : rpc.StatusCode.ToString()) : $"{error.GetType().Name}: {error.Message}";
}
