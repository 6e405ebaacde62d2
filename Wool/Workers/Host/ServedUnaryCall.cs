using Wool.Routines;


namespace Wool.Workers.Host;

/// <summary>A single-result call a worker serves: the routine runs on the thread pool, so a slow or CPU-bound routine never holds up the others.</summary>
internal sealed class ServedUnaryCall(ulong id, WorkerSession session, CancellationToken stopToken, RoutinePool peers)
    : ServedCall(id, session, stopToken)
{
    public void Start(RoutineRequest request) => RunDetached(() => RunAsync(request));

    private async Task RunAsync(RoutineRequest request)
    {
        // Nested calls made by the routine go to the worker's peers.
        RoutinePool.UseInThisFlow(peers);
        Complete(await RoutineExecutor.InvokeAsync(request, Token, this).ConfigureAwait(false));
    }
}
