using Wool.Routines;
using Wool.Telemetry;

namespace Wool.Workers.Host;

/// <summary>A single-result call a worker serves: the routine runs on the thread pool, so a slow or CPU-bound routine never holds up the others.</summary>
internal sealed class ServedUnaryCall(ulong id, WorkerSession session, CancellationToken stopToken, RoutinePool peers)
    : ServedCall(id, session, stopToken)
{
    /// <param name="request">The call.</param>
    /// <param name="trace">The caller's trace context, when the call is observed (its span starts in the routine's flow); null otherwise.</param>
    /// <param name="prepared">What must complete before the routine can be found (its shipped code); null when nothing.</param>
    public void Start(RoutineRequest request, CallTrace? trace, Task? prepared = null) => RunDetached(() => RunAsync(request, trace, prepared));

    private async Task RunAsync(RoutineRequest request, CallTrace? trace, Task? prepared)
    {
        if (prepared is not null)
        {
            try
            {
                await prepared.ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // The routine's code could not be had: the call did not run, and says why.
                Complete(RoutineReply.Failure(e));
                return;
            }
        }

        // Nested calls made by the routine go to the worker's peers, in the call's span.
        RoutinePool.UseInThisFlow(peers);
        ServerCallTelemetry? telemetry = trace is { } observed ? Observe(request, streaming: false, observed.Parent, observed.Baggage, enter: true) : null;
        RoutineReply reply = await RoutineExecutor.InvokeAsync(request, Token, this).ConfigureAwait(false);
        if (telemetry is not null)
        {
            telemetry.Sent(reply.Payload.Length);
            telemetry.End(ErrorOf(reply));
        }

        Complete(reply);
    }
}
