using Wool.Workers;

namespace Wool.LoadBalancing;

/// <summary>The default: each call starts one worker further along the list than the previous one, from a random first worker.</summary>
public sealed class RoundRobinLoadBalancer : ILoadBalancer
{
    private int _next = Random.Shared.Next();

    /// <inheritdoc />
    public IEnumerable<WorkerInfo> Order(IReadOnlyList<WorkerInfo> candidates)
    {
        int start = Start(candidates.Count);
        for (int i = 0; i < candidates.Count; i++)
        {
            yield return candidates[(start + i) % candidates.Count];
        }
    }

    /// <summary>The index the next call starts from (the pool's allocation-free fast path).</summary>
    internal int Start(int count) => count == 0 ? 0 : (int)((uint)Interlocked.Increment(ref _next) % (uint)count);
}
