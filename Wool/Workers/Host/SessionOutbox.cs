using System.Threading.Channels;
using Google.Protobuf.Collections;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Wool.Workers.Protocol;

namespace Wool.Workers.Host;

/// <summary>
/// The replies of one connection on their way to its caller: queued by the calls, written in
/// batches by one writer, and counted in bytes until written. When the caller does not read them
/// (more than <paramref name="unsentLimit"/> bytes wait), <see cref="HasRoomAsync"/> holds back the
/// reading of its requests, so HTTP/2 flow control stops the caller instead of the worker's memory
/// growing. Thread-safe.
/// </summary>
internal sealed class SessionOutbox(long unsentLimit, ILogger logger)
{
    private readonly Channel<ServerFrame> _frames = Channel.CreateUnbounded<ServerFrame>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _gate = new();
    private long _unsent;
    private TaskCompletionSource? _room;

    /// <summary>Queues a frame; false once the connection is closing (the frame is dropped).</summary>
    public bool TrySend(ServerFrame frame)
    {
        int bytes = frame.CalculateSize();
        if (!_frames.Writer.TryWrite(frame))
        {
            return false;
        }

        Interlocked.Add(ref _unsent, bytes);
        WorkerMemory.Moved(bytes);
        return true;
    }

    /// <summary>Waits until the caller has taken enough of its replies to read more of its requests.</summary>
    public async ValueTask<bool> HasRoomAsync(CancellationToken cancellationToken)
    {
        while (Volatile.Read(ref _unsent) > unsentLimit)
        {
            Task room;
            lock (_gate)
            {
                if (Volatile.Read(ref _unsent) <= unsentLimit)
                {
                    break;
                }

                _room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                room = _room.Task;
            }

            WorkerLog.RepliesUnread(logger, Volatile.Read(ref _unsent));
            await room.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    /// <summary>Writes the queued frames, batched, until <see cref="Complete"/>; tells <paramref name="written"/> of each batch once sent.</summary>
    public async Task WriteAllAsync(IServerStreamWriter<ServerBatch> responses, Action<RepeatedField<ServerFrame>> written)
    {
        try
        {
            await FrameBatches.SendAllAsync(
                _frames.Reader,
                static (ServerBatch batch) => batch.Frames,
                responses.WriteAsync,
                (frames, bytes) =>
                {
                    written(frames);
                    Sent(bytes);
                }).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or OperationCanceledException or RpcException)
        {
            WorkerLog.ConnectionEnded(logger, $"replies could not be written: {e.Message}");
        }
    }

    /// <summary>No more frames: the writer sends what is queued and ends.</summary>
    public void Complete() => _frames.Writer.TryComplete();

    private void Sent(int bytes)
    {
        // Under the gate, as the read side's last check is: a wake-up is never lost between the two.
        if (Interlocked.Add(ref _unsent, -bytes) <= unsentLimit)
        {
            lock (_gate)
            {
                _room?.TrySetResult();
                _room = null;
            }
        }
    }
}
