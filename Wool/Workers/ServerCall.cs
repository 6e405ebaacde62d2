using Wool.Routines;

namespace Wool.Workers;

/// <summary>A call being served: its cancellation and, for a streaming call, its open stream.</summary>
internal sealed class ServerCall(CancellationToken stopToken) : IDisposable
{
    private readonly CancellationTokenSource _cancellation = CancellationTokenSource.CreateLinkedTokenSource(stopToken);

    public CancellationToken Token => _cancellation.Token;

    public IRoutineStream? Stream { get; set; }

    public void Cancel()
    {
        try
        {
            _cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The call ended between the lookup and the cancel: nothing left to cancel.
        }
    }

    public void Dispose() => _cancellation.Dispose();
}
