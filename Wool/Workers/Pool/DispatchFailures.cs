using Wool.Workers.Client;
namespace Wool.Workers.Pool;

/// <summary>
/// The one place that decides, for every failure while dispatching, whether the call may go to
/// another worker. Only refusals that prove the call did not run are retried elsewhere; anything
/// after a worker accepted a call reaches the caller (at-most-once).
/// </summary>
internal static class DispatchFailures
{
    public static DispatchFailure Classify(Exception exception) => exception switch
    {
        CallRejectedException { Transient: true } => DispatchFailure.TryNext,
        CallRejectedException => DispatchFailure.Evict,
        _ => DispatchFailure.Surface,
    };
}
