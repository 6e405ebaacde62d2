using System.Threading.Channels;
using Wool.Context;
using Wool.Routines;
using Wool.Serialization;
using Wool.Workers.Protocol;

namespace Wool.Workers;

/// <summary>
/// A streaming call on a <see cref="WorkerLink"/>. The caller paces the worker with credit:
/// by default one item per <see cref="NextAsync"/> (strict pull: the worker never runs ahead);
/// with a prefetch window of N, N items up front, topped up as items are consumed. The first pull
/// opens the stream (open and credit travel in one message). Disposing before the end closes the
/// stream on the worker, whose finally blocks have run when <see cref="DisposeAsync"/> returns.
/// </summary>
internal sealed class RemoteRoutineStream(WorkerLink connection, ulong id, RoutineRequest request, CancellationToken cancellationToken)
    : IRoutineStream, IFrameReceiver
{
    private readonly Channel<RoutineReply> _replies = Channel.CreateUnbounded<RoutineReply>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly int _prefetch = request.Routine?.Prefetch ?? 0;
    private readonly ArgumentStreamServer? _arguments = ArgumentStreamServer.For(request, cancellationToken);
    private readonly TaskCompletionSource _accepted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenRegistration _cancellation;
    private ContextValues _sentContext = request.Context;
    private uint _consumed;
    private bool _opened;
    private bool _finished;

    public ValueTask<RoutineReply> NextAsync(CancellationToken token)
    {
        if (!_opened || _finished)
        {
            return OpenAndReadAsync();
        }

        if (_prefetch == 0)
        {
            Grant(1);
        }
        else if (_consumed >= Math.Max(1, _prefetch / 2))
        {
            Grant(_consumed);
            _consumed = 0;
        }

        // A prefetched item that is already here is returned without any asynchronous machinery:
        // with a window, that is most items, and the stream's rate depends on it.
        if (_replies.Reader.TryRead(out RoutineReply reply))
        {
            if (reply.Kind == RoutineReplyKind.Value)
            {
                _consumed++;
                return new(reply);
            }

            return EndAsync(reply);
        }

        return ReadNextAsync();
    }

    private async ValueTask<RoutineReply> OpenAndReadAsync()
    {
        if (_finished)
        {
            return RoutineReply.Completed;
        }

        Open();
        if (request.DispatchTimeout is { } timeout)
        {
            await WaitForAcceptanceAsync(timeout).ConfigureAwait(false);
        }

        return await ReadNextAsync().ConfigureAwait(false);
    }

    private async ValueTask<RoutineReply> ReadNextAsync()
    {
        RoutineReply reply;
        try
        {
            reply = await ReadAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Refused, lost or cancelled: the stream is over and there is nothing to close.
            await FinishAsync().ConfigureAwait(false);
            throw;
        }

        if (reply.Kind == RoutineReplyKind.Value)
        {
            _consumed++;
            return reply;
        }

        return await EndAsync(reply).ConfigureAwait(false);
    }

    private async ValueTask<RoutineReply> EndAsync(RoutineReply reply)
    {
        await FinishAsync().ConfigureAwait(false);
        return reply;
    }

    /// <summary>
    /// The next reply. Once the stream is cancelled the worker is told, and has a grace period to
    /// answer with what the iterator did; a worker that stays silent does not hold the caller.
    /// </summary>
    private async ValueTask<RoutineReply> ReadAsync()
    {
        try
        {
            return await _replies.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            using var grace = new CancellationTokenSource(UnaryCall.CancellationGrace);
            try
            {
                return await _replies.Reader.ReadAsync(grace.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (grace.IsCancellationRequested)
            {
                connection.Unregister(id);
                _finished = true;
                throw new OperationCanceledException($"Routine '{request.RoutineName}' was cancelled; {connection.Worker} did not confirm within {UnaryCall.CancellationGrace.TotalSeconds:0} s and may still be running it.", cancellationToken);
            }
        }
    }

    public bool OnFrame(ServerFrame frame)
    {
        switch (frame.KindCase)
        {
            case ServerFrame.KindOneofCase.ArgumentPull:
            case ServerFrame.KindOneofCase.ArgumentClose:
                ArgumentFrames.Serve(_arguments, connection, id, frame);
                return false;
            case ServerFrame.KindOneofCase.Accepted:
                _accepted.TrySetResult();
                return false;
            case ServerFrame.KindOneofCase.Rejected:
                _replies.Writer.TryComplete(new CallRejectedException($"{connection.Worker} refused routine '{request.RoutineName}': {frame.Rejected.Reason}.", frame.Rejected.Transient));
                return true;
            default:
                RoutineReply reply = WireProtocol.ToReply(frame);
                _replies.Writer.TryWrite(reply);
                return reply.Kind != RoutineReplyKind.Value;
        }
    }

    public void OnLost(Exception reason) => _replies.Writer.TryComplete(connection.LostDuring(request.RoutineName, reason));

    public async ValueTask DisposeAsync()
    {
        if (!_opened || _finished)
        {
            await FinishAsync().ConfigureAwait(false);
            return;
        }

        if (!connection.TrySend(new ClientFrame { Id = id, Close = true }))
        {
            // The connection is gone; the worker cancels the calls of a connection it lost.
            connection.Unregister(id);
            await FinishAsync().ConfigureAwait(false);
            return;
        }

        try
        {
            // Items produced before the close (a prefetch window) are discarded.
            RoutineReply reply;
            do
            {
                reply = await _replies.Reader.ReadAsync(CancellationToken.None).ConfigureAwait(false);
            }
            while (reply.Kind == RoutineReplyKind.Value);

            if (reply.Kind == RoutineReplyKind.Exception)
            {
                throw WoolSerializer.DeserializeException(request.Routine!, reply.Payload);
            }
        }
        catch (WorkerLostException)
        {
            // Nothing is left to close.
        }
        finally
        {
            await FinishAsync().ConfigureAwait(false);
        }
    }

    private void Open()
    {
        _opened = true;
        DateTimeOffset? deadline = request.DispatchTimeout is { } timeout ? DateTimeOffset.UtcNow + timeout : null;
        if (!connection.TryRegister(id, this) || !connection.TrySendCall(id, request, streaming: true, deadline))
        {
            _finished = true;
            throw new CallRejectedException($"{connection.Worker} is unavailable for routine '{request.RoutineName}'.", transient: true);
        }

        if (cancellationToken.CanBeCanceled)
        {
            _cancellation = cancellationToken.UnsafeRegister(static s => ((RemoteRoutineStream)s!).SendCancel(), this);
        }

        Grant((uint)Math.Max(1, _prefetch));
    }

    /// <summary>As for single calls: a worker that has not taken the stream by its deadline (plus a margin) refuses it, so the open may go elsewhere.</summary>
    private async Task WaitForAcceptanceAsync(TimeSpan timeout)
    {
        TimeSpan margin = TimeSpan.FromMilliseconds(Math.Max(50, timeout.TotalMilliseconds / 10));
        try
        {
            await Task.WhenAny(_accepted.Task, _replies.Reader.WaitToReadAsync().AsTask()).WaitAsync(timeout + margin).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            connection.Unregister(id);
            SendCancel();
            await FinishAsync().ConfigureAwait(false);
            throw new CallRejectedException($"{connection.Worker} did not accept routine '{request.RoutineName}' within the dispatch timeout of {timeout.TotalMilliseconds:0} ms.", transient: true);
        }
    }

    private void Grant(uint credit)
    {
        var frame = new ClientFrame { Id = id, Pull = credit };
        if (_opened && AmbientContext.Current is var current && !ReferenceEquals(current, _sentContext.Source ?? System.Collections.Immutable.ImmutableDictionary<string, ContextEntry>.Empty))
        {
            // The caller's values changed since the stream opened or last pulled: send them along.
            _sentContext = AmbientContext.Capture();
            AmbientContext.AddTo(frame.Context, _sentContext);
        }

        if (!connection.TrySend(frame))
        {
            _replies.Writer.TryComplete(connection.LostDuring(request.RoutineName, new IOException("the connection is closed")));
        }
    }

    private void SendCancel() => connection.TrySend(new ClientFrame { Id = id, Cancel = true });

    private async ValueTask FinishAsync()
    {
        _finished = true;
        await _cancellation.DisposeAsync().ConfigureAwait(false);
        if (_arguments is not null)
        {
            await _arguments.DisposeAsync().ConfigureAwait(false);
        }
    }
}
