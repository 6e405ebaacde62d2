using Wool.Workers;

namespace Wool.LoadBalancing;

/// <summary>
/// Orders the workers a call may go to. A balancer only orders: the pool dispatches, tries the
/// next candidate when one refuses the call before running it, and never sends an accepted call
/// again. Called once per call, from any thread: implementations must be thread-safe and cheap.
/// </summary>
public interface ILoadBalancer
{
    /// <summary>The candidates in the order to try them (a subset is allowed: omitted ones are not tried).</summary>
    IEnumerable<WorkerInfo> Order(IReadOnlyList<WorkerInfo> candidates);
}
