using Wool.Routines;
using Wool.Serialization;
using Wool.Workers.Protocol;

namespace Wool.Workers;

/// <summary>
/// A streaming call on a <see cref="WorkerConnection"/>, pulled one item at a time: the first
/// pull opens the stream (open and pull travel in one message), each later pull advances the
/// worker's iterator by one step, and disposing before the end closes it on the worker, whose
/// finally blocks have run when <see cref="DisposeAsync"/> returns.
/// </summary>
internal sealed class RemoteRoutineStream(WorkerConnection connection, ulong id, RoutineRequest request, CancellationToken cancellationToken)
    : IRoutineStream, IFrameReceiver
{
    private TaskCompletionSource<RoutineReply>? _next;
    private CancellationTokenRegistration _cancellation;
    private bool _opened;
    private bool _finished;

    public async ValueTask<RoutineReply> NextAsync(CancellationToken token)
    {
        if (_finished)
        {
            return RoutineReply.Completed;
        }

        var next = _next = new TaskCompletionSource<RoutineReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_opened)
        {
            _opened = true;
            if (!connection.TryRegister(id, this) || !connection.TrySend(new ClientFrame { Id = id, OpenStream = WireProtocol.ToCall(request) }))
            {
                _finished = true;
                throw new CallRejectedException($"{connection.Worker} is unavailable for routine '{request.RoutineName}'.", transient: true);
            }

            if (cancellationToken.CanBeCanceled)
            {
                _cancellation = cancellationToken.UnsafeRegister(static s => ((RemoteRoutineStream)s!).Send(cancel: true), this);
            }
        }

        if (!Send(cancel: false))
        {
            next.TrySetException(connection.LostDuring(request.RoutineName, new IOException("the connection is closed")));
        }

        RoutineReply reply = await next.Task.ConfigureAwait(false);
        _finished = reply.Kind != RoutineReplyKind.Value;
        return reply;
    }

    public bool OnFrame(ServerFrame frame)
    {
        if (frame.KindCase == ServerFrame.KindOneofCase.Rejected)
        {
            _next?.TrySetException(new CallRejectedException($"{connection.Worker} refused routine '{request.RoutineName}': {frame.Rejected.Reason}.", frame.Rejected.Transient));
            return true;
        }

        RoutineReply reply = WireProtocol.ToReply(frame);
        _next?.TrySetResult(reply);
        return reply.Kind != RoutineReplyKind.Value;
    }

    public void OnLost(Exception reason) => _next?.TrySetException(connection.LostDuring(request.RoutineName, reason));

    public async ValueTask DisposeAsync()
    {
        await _cancellation.DisposeAsync().ConfigureAwait(false);
        if (!_opened || _finished)
        {
            return;
        }

        _finished = true;
        var closed = _next = new TaskCompletionSource<RoutineReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!connection.TrySend(new ClientFrame { Id = id, Close = true }))
        {
            // The connection is gone; the worker cancels the calls of a connection it lost.
            connection.Unregister(id);
            return;
        }

        RoutineReply reply;
        try
        {
            reply = await closed.Task.ConfigureAwait(false);
        }
        catch (WorkerLostException)
        {
            return;
        }

        if (reply.Kind == RoutineReplyKind.Exception)
        {
            throw WoolSerializer.DeserializeException(request.Routine!, reply.Payload);
        }
    }

    private bool Send(bool cancel)
        => connection.TrySend(cancel ? new ClientFrame { Id = id, Cancel = true } : new ClientFrame { Id = id, Pull = true });
}
