using System.Collections.Concurrent;
using Wool.Routines;

namespace Wool.Workers;

/// <summary>A call being served: its cancellation and, for a streaming call, its open stream.</summary>
internal sealed class ServerCall(CancellationToken stopToken) : IDisposable
{
    private readonly CancellationTokenSource _cancellation = CancellationTokenSource.CreateLinkedTokenSource(stopToken);

    public CancellationToken Token => _cancellation.Token;

    public IRoutineStream? Stream { get; set; }

    /// <summary>Guards the stream's pacing state below.</summary>
    public Lock Gate { get; } = new();

    /// <summary>How many more items the caller has allowed the stream to produce.</summary>
    public long Credit { get; set; }

    /// <summary>Whether a pump is advancing the stream now.</summary>
    public bool Pumping { get; set; }

    private volatile bool _closing;

    /// <summary>The caller asked to close the stream; the pump closes it after its current step. Readable without the gate.</summary>
    public bool Closing
    {
        get => _closing;
        set => _closing = value;
    }

    /// <summary>For a stream: the caller's context values as of its latest pull.</summary>
    public System.Collections.Immutable.ImmutableDictionary<string, Context.ContextEntry>? Context { get; set; }

    /// <summary>Pulls of streamed arguments waiting for the caller's answer, by slot.</summary>
    public ConcurrentDictionary<uint, TaskCompletionSource<RoutineReply>> ArgumentPulls { get; } = new();

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
