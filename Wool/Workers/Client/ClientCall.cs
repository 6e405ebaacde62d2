using Wool.Routines;
using Wool.Workers.Protocol;

namespace Wool.Workers.Client;

/// <summary>
/// One call on a <see cref="WorkerLink"/>, as the caller sees it: what single-result calls and
/// streams share. The worker may refuse the call (it did not run), confirm that it took it (only
/// for calls with a dispatch timeout), pull the caller's streamed arguments, and reply; a call the
/// caller cancels gives the worker <see cref="CancellationGrace"/> to say how the routine ended.
/// </summary>
internal abstract class ClientCall(WorkerLink link, ulong id, RoutineRequest request, CancellationToken cancellationToken) : IFrameReceiver
{
    /// <summary>How long a cancelled call waits for the worker to report how the routine ended.</summary>
    internal static readonly TimeSpan CancellationGrace = TimeSpan.FromSeconds(5);

    private readonly TaskCompletionSource _accepted = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ulong Id => id;

    protected WorkerLink Link => link;

    protected RoutineRequest Request => request;

    protected CancellationToken CancellationToken => cancellationToken;

    /// <summary>The caller's side of the call's streamed arguments; null when it has none.</summary>
    protected ArgumentStreamServer? Arguments { get; } = ArgumentStreamServer.For(request, cancellationToken);

    public bool OnFrame(ServerFrame frame)
    {
        switch (frame.KindCase)
        {
            case ServerFrame.KindOneofCase.ArgumentPull:
            case ServerFrame.KindOneofCase.ArgumentClose:
                ArgumentFrames.Serve(Arguments, link, id, frame);
                return false;
            case ServerFrame.KindOneofCase.Accepted:
                _accepted.TrySetResult();
                return false;
            case ServerFrame.KindOneofCase.Rejected:
                OnFailed(new CallRejectedException(
                    $"{link.Worker} refused routine '{request.RoutineName}': {frame.Rejected.Reason}.",
                    frame.Rejected.Transient,
                    otherBuild: frame.Rejected.Build.Length == 16 ? new Guid(frame.Rejected.Build.Span) : null));
                return true;
            case ServerFrame.KindOneofCase.Items:
                foreach (Google.Protobuf.ByteString value in frame.Items.Values)
                {
                    if (OnReply(RoutineReply.Value(value.Memory)))
                    {
                        return true;
                    }
                }

                return false;
            default:
                return OnReply(WireProtocol.ToReply(frame));
        }
    }

    public void OnLost(Exception reason) => OnFailed(link.LostDuring(request.RoutineName, reason));

    /// <summary>A value, an exception or the end arrived. Returns whether the call is over.</summary>
    protected abstract bool OnReply(RoutineReply reply);

    /// <summary>The call cannot complete: the worker refused it, or the link is lost.</summary>
    protected abstract void OnFailed(Exception error);

    /// <summary>
    /// Waits for the worker to take the call, or for <paramref name="answered"/>. The worker
    /// refuses a call that reaches it after its deadline, so once the deadline (plus a margin for
    /// the confirmation to travel) has passed without one, the call is not running there and may
    /// go to another worker: this throws a transient <see cref="CallRejectedException"/>.
    /// </summary>
    protected async Task WaitForAcceptanceAsync(TimeSpan timeout, Task answered)
    {
        TimeSpan margin = TimeSpan.FromMilliseconds(Math.Max(50, timeout.TotalMilliseconds / 10));
        try
        {
            await Task.WhenAny(_accepted.Task, answered).WaitAsync(timeout + margin).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            link.Unregister(id);
            SendCancel();
            throw new CallRejectedException($"{link.Worker} did not accept routine '{request.RoutineName}' within the dispatch timeout of {timeout.TotalMilliseconds:0} ms.", transient: true);
        }
    }

    /// <summary>
    /// What a cancelled call throws when the worker stayed silent through the grace period: the
    /// caller is not held past its own deadline, and the call stops listening for a reply.
    /// </summary>
    protected OperationCanceledException Unconfirmed()
    {
        link.Unregister(id);
        return new OperationCanceledException($"Routine '{request.RoutineName}' was cancelled; {link.Worker} did not confirm within {CancellationGrace.TotalSeconds:0} s and may still be running it.", cancellationToken);
    }

    /// <summary>Cancels the routine's token on the worker.</summary>
    protected void SendCancel() => link.TrySend(new ClientFrame { Id = id, Cancel = true });
}
