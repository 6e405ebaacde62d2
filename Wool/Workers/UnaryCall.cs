using Wool.Routines;
using Wool.Workers.Protocol;

namespace Wool.Workers;

/// <summary>A single-result call waiting for its reply on a <see cref="WorkerLink"/>.</summary>
internal sealed class UnaryCall(WorkerLink connection, ulong id, RoutineRequest request, CancellationToken cancellationToken) : IFrameReceiver
{
    private readonly TaskCompletionSource<RoutineReply> _reply = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ArgumentStreamServer? _arguments = ArgumentStreamServer.For(request, cancellationToken);
    private readonly string _routineName = request.RoutineName;
    private readonly TaskCompletionSource _accepted = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>How long a cancelled call waits for the worker to report how the routine ended.</summary>
    internal static readonly TimeSpan CancellationGrace = TimeSpan.FromSeconds(5);

    public ulong Id => id;

    public bool OnFrame(ServerFrame frame)
    {
        if (frame.KindCase is ServerFrame.KindOneofCase.ArgumentPull or ServerFrame.KindOneofCase.ArgumentClose)
        {
            ArgumentFrames.Serve(_arguments, connection, id, frame);
            return false;
        }

        if (frame.KindCase == ServerFrame.KindOneofCase.Accepted)
        {
            _accepted.TrySetResult();
            return false;
        }

        if (frame.KindCase == ServerFrame.KindOneofCase.Rejected)
        {
            _reply.TrySetException(new CallRejectedException($"{connection.Worker} refused routine '{_routineName}': {frame.Rejected.Reason}.", frame.Rejected.Transient));
        }
        else
        {
            _reply.TrySetResult(WireProtocol.ToReply(frame));
        }

        return true;
    }

    public void OnLost(Exception reason) => _reply.TrySetException(connection.LostDuring(_routineName, reason));

    /// <summary>
    /// Waits for the reply. Cancelling the token cancels the routine's token on the worker; the
    /// caller then receives what the routine does about it (usually an OperationCanceledException,
    /// after its finally blocks ran).
    /// </summary>
    public async Task<RoutineReply> WaitAsync()
    {
        try
        {
            if (request.DispatchTimeout is { } timeout)
            {
                await WaitForAcceptanceAsync(timeout).ConfigureAwait(false);
            }

            if (!cancellationToken.CanBeCanceled)
            {
                return await _reply.Task.ConfigureAwait(false);
            }

            try
            {
                return await _reply.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Tell the worker, and give it a moment to answer with what the routine did
                // (usually OperationCanceledException, after its finally blocks ran).
                SendCancel();
            }

            try
            {
                return await _reply.Task.WaitAsync(CancellationGrace).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // A worker that does not answer must not hold the caller past its own deadline.
                connection.Unregister(id);
                throw new OperationCanceledException($"Routine '{_routineName}' was cancelled; {connection.Worker} did not confirm within {CancellationGrace.TotalSeconds:0} s and may still be running it.", cancellationToken);
            }
        }
        finally
        {
            if (_arguments is not null)
            {
                await _arguments.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Waits for the worker to take the call. The worker refuses a call that reaches it after its
    /// deadline, so once the deadline (plus a margin for the confirmation to travel) has passed
    /// without one, the call is not running there and may go to another worker.
    /// </summary>
    private async Task WaitForAcceptanceAsync(TimeSpan timeout)
    {
        TimeSpan margin = TimeSpan.FromMilliseconds(Math.Max(50, timeout.TotalMilliseconds / 10));
        try
        {
            await Task.WhenAny(_accepted.Task, _reply.Task).WaitAsync(timeout + margin).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            connection.Unregister(id);
            SendCancel();
            throw new CallRejectedException($"{connection.Worker} did not accept routine '{_routineName}' within the dispatch timeout of {timeout.TotalMilliseconds:0} ms.", transient: true);
        }
    }

    private void SendCancel() => connection.TrySend(new ClientFrame { Id = id, Cancel = true });
}
