using Grpc.Core;
using Wool.Routines;
using Wool.Workers.Protocol;

namespace Wool.Tests.Workers.InMemory;

/// <summary>A caller that speaks the protocol frame by frame to an in-memory worker, to test what a worker does with each frame.</summary>
internal sealed class RawSession : IDisposable
{
    private readonly AsyncDuplexStreamingCall<ClientBatch, ServerBatch> _call;
    private readonly Queue<ServerFrame> _received = new();

    public RawSession(InMemoryWorker worker, Metadata? headers = null)
    {
        _call = new Worker.WorkerClient(new InProcessCallInvoker(worker.Service)).Connect(headers ?? Headers);
    }

    public static Metadata Headers => new() { { WireProtocol.VersionHeader, WireProtocol.Version.ToString(System.Globalization.CultureInfo.InvariantCulture) } };

    public Task SendAsync(params ClientFrame[] frames) => _call.RequestStream.WriteAsync(new ClientBatch { Frames = { frames } }).WaitAsync(Timeouts.Default);

    /// <summary>Sends a call, named in full, with the given id.</summary>
    public Task CallAsync(ulong id, RoutineRequest request, bool streaming = false, DateTimeOffset? deadline = null)
        => SendAsync(WireProtocol.ToFrame(id, request, streaming, deadline));

    public async Task<ServerFrame> ReadAsync()
    {
        if (_received.Count == 0)
        {
            using var timeout = new CancellationTokenSource(Timeouts.Default);
            if (!await _call.ResponseStream.MoveNext(timeout.Token))
            {
                throw new EndOfStreamException("The worker ended the call channel.");
            }

            foreach (ServerFrame frame in _call.ResponseStream.Current.Frames)
            {
                _received.Enqueue(frame);
            }
        }

        return _received.Dequeue();
    }

    /// <summary>Whether the worker sends anything within <paramref name="within"/>.</summary>
    public async Task<bool> SendsAnythingWithinAsync(TimeSpan within)
    {
        if (_received.Count > 0)
        {
            return true;
        }

        using var timeout = new CancellationTokenSource(within);
        try
        {
            if (await _call.ResponseStream.MoveNext(timeout.Token))
            {
                foreach (ServerFrame frame in _call.ResponseStream.Current.Frames)
                {
                    _received.Enqueue(frame);
                }

                return true;
            }

            return false;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>How the worker ended the channel: the next read's failure.</summary>
    public async Task<RpcException> EndedWithAsync()
    {
        using var timeout = new CancellationTokenSource(Timeouts.Default);
        while (true)
        {
            try
            {
                if (!await _call.ResponseStream.MoveNext(timeout.Token))
                {
                    throw new AssertFailedException("The worker closed the channel without an error.");
                }
            }
            catch (RpcException e)
            {
                return e;
            }
        }
    }

    public void Dispose() => _call.Dispose();
}
