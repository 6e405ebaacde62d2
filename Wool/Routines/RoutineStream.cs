using Wool.Serialization;

namespace Wool.Routines;

/// <summary>The worker side of a streaming call: advances the routine's iterator one item per pull.</summary>
internal sealed class RoutineStream(Routine routine, IAsyncEnumerable<object?> items, CancellationToken cancellationToken) : IRoutineStream
{
    private readonly IAsyncEnumerator<object?> _enumerator = items.GetAsyncEnumerator(cancellationToken);
    private bool _finished;

    public async ValueTask<RoutineReply> NextAsync(CancellationToken cancellationToken)
    {
        if (_finished)
        {
            return RoutineReply.Completed;
        }

        // Each step runs in the routine's build (a shipped build's type names resolve to its own types).
        using System.Runtime.Loader.AssemblyLoadContext.ContextualReflectionScope build = RoutineExecutor.EnterBuildOf(routine);
        try
        {
            if (!await _enumerator.MoveNextAsync().ConfigureAwait(false))
            {
                _finished = true;
                return RoutineReply.Completed;
            }

            return RoutineReply.Value(RoutinePayload.SerializeValue(routine, _enumerator.Current, "stream item"));
        }
        catch (Exception e)
        {
            _finished = true;
            return RoutineReply.Failure(e);
        }
    }

    public ValueTask DisposeAsync() => _enumerator.DisposeAsync();
}
