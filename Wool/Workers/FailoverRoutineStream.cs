using Wool.Routines;

namespace Wool.Workers;

/// <summary>
/// Opens a stream on the first worker that takes it: a worker that refuses before the stream runs
/// (stopping, busy, past the dispatch deadline, at fault) is skipped for the next candidate, by
/// the same rules as single calls. Once a worker has produced the first reply, the stream is
/// bound to it and never moves.
/// </summary>
internal sealed class FailoverRoutineStream(WorkerSet workers, IEnumerable<WorkerConnection> candidates, RoutineRequest request, CancellationToken cancellationToken)
    : IRoutineStream
{
    private IRoutineStream? _current;

    // Once bound, a stream's items pass straight through: no state machine per item.
    public ValueTask<RoutineReply> NextAsync(CancellationToken token) => _current?.NextAsync(token) ?? OpenAsync(token);

    private async ValueTask<RoutineReply> OpenAsync(CancellationToken token)
    {
        List<Exception>? failures = null;
        foreach (WorkerConnection connection in candidates)
        {
            IRoutineStream stream = connection.OpenStream(request, cancellationToken);
            try
            {
                RoutineReply first = await stream.NextAsync(token).ConfigureAwait(false);
                _current = stream;
                return first;
            }
            catch (CallRejectedException e)
            {
                (failures ??= []).Add(e);
                if (DispatchFailures.Classify(e) == DispatchFailure.Evict)
                {
                    workers.Remove(connection);
                }

                await stream.DisposeAsync().ConfigureAwait(false);
            }
        }

        throw workers.NoneAccepted(request, failures);
    }

    public ValueTask DisposeAsync() => _current?.DisposeAsync() ?? default;
}
