using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Wool.Context;
using Wool.Routines;
using Wool.Serialization;
using Wool.Workers.Protocol;

namespace Wool.Workers.Client;

/// <summary>
/// A streaming call on a <see cref="WorkerLink"/>. The caller paces the worker with credit:
/// by default one item per <see cref="NextAsync"/> (strict pull: the worker never runs ahead);
/// with a prefetch window of N, N items up front, topped up as items are consumed. The first pull
/// opens the stream (open and credit travel in one message). Disposing before the end closes the
/// stream on the worker, whose finally blocks have run when <see cref="DisposeAsync"/> returns.
/// </summary>
internal sealed class RemoteRoutineStream(WorkerLink link, ulong id, RoutineRequest request, CancellationToken cancellationToken)
    : ClientCall(link, id, request, cancellationToken), IRoutineStream
{
    private readonly Channel<RoutineReply> _replies = Channel.CreateUnbounded<RoutineReply>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly int _prefetch = request.Routine?.Prefetch ?? 0;
    private CancellationTokenRegistration _cancellation;
    private ContextValues _sentContext = request.Context;
    private uint _consumed;

    // Items the worker may still send: credit granted, less items received.
    private long _allowed;
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
        if (Request.DispatchTimeout is { } timeout)
        {
            try
            {
                await WaitForAcceptanceAsync(timeout, _replies.Reader.WaitToReadAsync().AsTask()).ConfigureAwait(false);
            }
            catch (CallRejectedException)
            {
                await FinishAsync().ConfigureAwait(false);
                throw;
            }
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
            return await ReceiveAsync(CancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (CancellationToken.IsCancellationRequested)
        {
            using var grace = new CancellationTokenSource(CancellationGrace);
            try
            {
                return await ReceiveAsync(grace.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (grace.IsCancellationRequested)
            {
                _finished = true;
                throw Unconfirmed();
            }
        }
    }

    /// <summary>
    /// The next reply as it arrived. A stream the worker refused, or whose link was lost, throws that
    /// exception itself (<see cref="CallRejectedException"/>, <see cref="WorkerLostException"/>), not
    /// the channel's wrapper around it: the pool's failover and the caller both depend on its type.
    /// </summary>
    private async ValueTask<RoutineReply> ReceiveAsync(CancellationToken token)
    {
        try
        {
            return await _replies.Reader.ReadAsync(token).ConfigureAwait(false);
        }
        catch (ChannelClosedException e) when (e.InnerException is { } cause)
        {
            ExceptionDispatchInfo.Capture(cause).Throw();
            throw;
        }
    }

    protected override bool OnReply(RoutineReply reply)
    {
        if (reply.Kind == RoutineReplyKind.Value && Interlocked.Decrement(ref _allowed) < 0)
        {
            // A worker that sends more items than it was granted would grow this process without
            // bound: the stream ends here, and nothing more of it is kept.
            _replies.Writer.TryComplete(new WorkerLostException($"{Link.Worker} sent more items of routine '{Request.RoutineName}' than this caller asked for; the stream is closed.", null));
            return true;
        }

        _replies.Writer.TryWrite(reply);
        return reply.Kind != RoutineReplyKind.Value;
    }

    protected override void OnFailed(Exception error) => _replies.Writer.TryComplete(error);

    public async ValueTask DisposeAsync()
    {
        if (!_opened || _finished)
        {
            await FinishAsync().ConfigureAwait(false);
            return;
        }

        if (!Link.TrySend(new ClientFrame { Id = Id, Close = true }))
        {
            // The connection is gone; the worker cancels the calls of a connection it lost.
            Link.Unregister(Id);
            await FinishAsync().ConfigureAwait(false);
            return;
        }

        try
        {
            // Items produced before the close (a prefetch window) are discarded.
            RoutineReply reply;
            do
            {
                reply = await ReceiveAsync(CancellationToken.None).ConfigureAwait(false);
            }
            while (reply.Kind == RoutineReplyKind.Value);

            if (reply.Kind == RoutineReplyKind.Exception)
            {
                throw RoutinePayload.DeserializeException(Request.Routine!, reply.Payload);
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
        Link.CheckSize(Request);
        _opened = true;
        DateTimeOffset? deadline = Request.DispatchTimeout is { } timeout ? DateTimeOffset.UtcNow + timeout : null;
        if (!Link.TryRegister(Id, this) || !Link.TrySendCall(Id, Request, streaming: true, deadline))
        {
            _finished = true;
            throw new CallRejectedException($"{Link.Worker} is unavailable for routine '{Request.RoutineName}'.", transient: true);
        }

        if (CancellationToken.CanBeCanceled)
        {
            _cancellation = CancellationToken.UnsafeRegister(static s => ((RemoteRoutineStream)s!).SendCancel(), this);
        }

        Grant((uint)Math.Max(1, _prefetch));
    }

    private void Grant(uint credit)
    {
        Interlocked.Add(ref _allowed, credit);
        var frame = new ClientFrame { Id = Id, Pull = credit };
        if (_opened && AmbientContext.Current is var current && !ReferenceEquals(current, _sentContext.Source ?? System.Collections.Immutable.ImmutableDictionary<string, ContextEntry>.Empty))
        {
            // The caller's values changed since the stream opened or last pulled: send them along.
            _sentContext = AmbientContext.Capture();
            ContextFrames.Write(frame.Context, _sentContext);
        }

        if (!Link.TrySend(frame))
        {
            _replies.Writer.TryComplete(Link.LostDuring(Request.RoutineName, new IOException("the connection is closed")));
        }
    }

    private async ValueTask FinishAsync()
    {
        _finished = true;
        await _cancellation.DisposeAsync().ConfigureAwait(false);
        if (Arguments is not null)
        {
            await Arguments.DisposeAsync().ConfigureAwait(false);
        }
    }
}
