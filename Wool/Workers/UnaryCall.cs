using Wool.Routines;
using Wool.Workers.Protocol;

namespace Wool.Workers;

/// <summary>A single-result call waiting for its reply on a <see cref="WorkerConnection"/>.</summary>
internal sealed class UnaryCall(WorkerConnection connection, ulong id, string routineName) : IFrameReceiver
{
    private readonly TaskCompletionSource<RoutineReply> _reply = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ulong Id => id;

    public bool OnFrame(ServerFrame frame)
    {
        if (frame.KindCase == ServerFrame.KindOneofCase.Rejected)
        {
            _reply.TrySetException(new CallRejectedException($"{connection.Worker} refused routine '{routineName}': {frame.Rejected.Reason}.", frame.Rejected.Transient));
        }
        else
        {
            _reply.TrySetResult(WireProtocol.ToReply(frame));
        }

        return true;
    }

    public void OnLost(Exception reason) => _reply.TrySetException(connection.LostDuring(routineName, reason));

    /// <summary>
    /// Waits for the reply. Cancelling the token cancels the routine's token on the worker; the
    /// caller then receives what the routine does about it (usually an OperationCanceledException,
    /// after its finally blocks ran).
    /// </summary>
    public async Task<RoutineReply> WaitAsync(CancellationToken cancellationToken)
    {
        if (!cancellationToken.CanBeCanceled)
        {
            return await _reply.Task.ConfigureAwait(false);
        }

        using var registration = cancellationToken.UnsafeRegister(
            static state =>
            {
                var call = (UnaryCall)state!;
                call.SendCancel();
            },
            this);
        return await _reply.Task.ConfigureAwait(false);
    }

    private void SendCancel() => connection.TrySend(new ClientFrame { Id = id, Cancel = true });
}
