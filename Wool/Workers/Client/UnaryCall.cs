using Wool.Routines;


namespace Wool.Workers.Client;

/// <summary>A single-result call waiting for its reply on a <see cref="WorkerLink"/>.</summary>
internal sealed class UnaryCall(WorkerLink link, ulong id, RoutineRequest request, CancellationToken cancellationToken)
    : ClientCall(link, id, request, cancellationToken)
{
    private readonly TaskCompletionSource<RoutineReply> _reply = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override bool OnReply(RoutineReply reply)
    {
        _reply.TrySetResult(reply);
        return true;
    }

    protected override void OnFailed(Exception error) => _reply.TrySetException(error);

    /// <summary>
    /// Waits for the reply. Cancelling the token cancels the routine's token on the worker; the
    /// caller then receives what the routine does about it (usually an OperationCanceledException,
    /// after its finally blocks ran).
    /// </summary>
    public async Task<RoutineReply> WaitAsync()
    {
        try
        {
            if (Request.DispatchTimeout is { } timeout)
            {
                await WaitForAcceptanceAsync(timeout, _reply.Task).ConfigureAwait(false);
            }

            if (!CancellationToken.CanBeCanceled)
            {
                return await _reply.Task.ConfigureAwait(false);
            }

            try
            {
                return await _reply.Task.WaitAsync(CancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (CancellationToken.IsCancellationRequested)
            {
                SendCancel();
            }

            try
            {
                return await _reply.Task.WaitAsync(CancellationGrace).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw Unconfirmed();
            }
        }
        finally
        {
            if (Arguments is not null)
            {
                await Arguments.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
