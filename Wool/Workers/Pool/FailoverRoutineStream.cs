using Wool.Routines;
using Wool.Workers.Client;

namespace Wool.Workers.Pool;

/// <summary>
/// A stream that opens, at its first pull, on the first worker that takes it, through the pool's
/// one failover loop (<see cref="WorkerSet.DispatchAsync"/>): a worker that refuses before the
/// stream runs is skipped for the next. Once a worker has produced the first reply, the stream is
/// bound to it and never moves.
/// </summary>
internal sealed class FailoverRoutineStream(WorkerSet workers, RoutineRequest request, CancellationToken cancellationToken) : IRoutineStream
{
    private IRoutineStream? _current;

    // Once bound, a stream's items pass straight through: no state machine per item.
    public ValueTask<RoutineReply> NextAsync(CancellationToken token) => _current?.NextAsync(token) ?? OpenAsync(token);

    public ValueTask DisposeAsync() => _current?.DisposeAsync() ?? default;

    private async ValueTask<RoutineReply> OpenAsync(CancellationToken token)
    {
        (IRoutineStream stream, RoutineReply first) = await workers.DispatchAsync(request, token, (connection, request, token) => OpenOnAsync(connection, request, token)).ConfigureAwait(false);
        _current = stream;
        return first;
    }

    /// <summary>Opens the stream on one worker and pulls the first reply; a refusal closes what was opened there.</summary>
    private async ValueTask<(IRoutineStream Stream, RoutineReply First)> OpenOnAsync(WorkerConnection connection, RoutineRequest request, CancellationToken token)
    {
        IRoutineStream stream = connection.OpenStream(request, cancellationToken);
        try
        {
            return (stream, await stream.NextAsync(token).ConfigureAwait(false));
        }
        catch (CallRejectedException)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
