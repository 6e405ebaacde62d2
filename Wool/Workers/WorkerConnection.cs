using System.Collections.Concurrent;
using System.Threading.Channels;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Wool.Routines;
using Wool.Workers.Protocol;

namespace Wool.Workers;

/// <summary>
/// A caller's channel to one worker: a single long-lived bidirectional gRPC stream that carries
/// every call to that worker at once, multiplexed by call id. Frames that are ready together are
/// sent as one message. When the stream breaks, every call still waiting on it fails with
/// <see cref="WorkerLostException"/>, and the connection reports itself lost. Thread-safe.
/// </summary>
internal sealed class WorkerConnection : IAsyncDisposable
{
    private const int MaxFramesPerBatch = 256;

    // Small frames are batched; large ones travel alone, so a batch stays far below the message limit.
    private const int MaxBatchBytes = 1024 * 1024;

    private readonly ILogger _logger;
    private readonly GrpcChannel _channel;
    private readonly AsyncDuplexStreamingCall<ClientBatch, ServerBatch> _stream;
    private readonly Channel<ClientFrame> _outbox = Channel.CreateUnbounded<ClientFrame>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<ulong, IFrameReceiver> _receivers = new();
    private readonly Task _writer;
    private readonly Task _reader;
    private readonly Protocol.Worker.WorkerClient _client;
    private long _nextId;
    private volatile Exception? _lost;
    private volatile bool _closeExpected;

    public WorkerConnection(WorkerInfo worker, ILogger logger, TimeSpan? keepAlive = null)
    {
        Worker = worker;
        _logger = logger;
        _channel = WorkerChannels.Create(worker.Address, keepAlive ?? WorkerChannels.DefaultKeepAlive);
        _client = new Protocol.Worker.WorkerClient(_channel);
        _stream = _client.Connect(new Metadata { { WireProtocol.VersionHeader, WireProtocol.Version.ToString(System.Globalization.CultureInfo.InvariantCulture) } });
        _writer = WriteLoopAsync();
        _reader = ReadLoopAsync();
    }

    public WorkerInfo Worker { get; }

    public bool IsAlive => _lost is null;

    /// <summary>Raised once, when the connection is lost (not when it is disposed).</summary>
    public event Action<WorkerConnection, Exception>? Lost;

    public Task<RoutineReply> InvokeAsync(RoutineRequest request, CancellationToken cancellationToken)
    {
        var call = new UnaryCall(this, NextId(), request, cancellationToken);
        DateTimeOffset? deadline = request.DispatchTimeout is { } timeout ? DateTimeOffset.UtcNow + timeout : null;
        if (!TryRegister(call.Id, call) || !TrySend(WireProtocol.ToFrame(call.Id, request, streaming: false, deadline)))
        {
            _receivers.TryRemove(call.Id, out _);
            // Never sent: the call did not run, another worker may take it.
            return Task.FromException<RoutineReply>(new CallRejectedException($"{Worker} is unavailable: {_lost?.Message}", transient: true));
        }

        return call.WaitAsync();
    }

    public IRoutineStream OpenStream(RoutineRequest request, CancellationToken cancellationToken)
        => new RemoteRoutineStream(this, NextId(), request, cancellationToken);

    /// <summary>Tells the worker which peers its routines dispatch nested calls to.</summary>
    public async Task SetPeersAsync(IEnumerable<WorkerInfo> peers, CancellationToken cancellationToken)
    {
        var list = new PeerList();
        list.Peers.AddRange(peers.Select(p => new Peer { Id = p.Id, Address = p.Address.ToString(), ProcessId = p.ProcessId }));
        await _client.SetPeersAsync(list, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Asks the worker to stop: it refuses new calls, lets in-flight calls finish for
    /// <paramref name="grace"/>, cancels the rest, then closes this connection and exits.
    /// </summary>
    public async Task StopWorkerAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        _closeExpected = true;
        await _client.StopAsync(new StopRequest { GraceMilliseconds = (long)grace.TotalMilliseconds }, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    public Task<StatusReply> GetStatusAsync(CancellationToken cancellationToken)
        => _client.StatusAsync(new Ack(), cancellationToken: cancellationToken).ResponseAsync;

    /// <summary>Completes when the worker has closed its side of the connection (or it broke).</summary>
    public Task Closed => _reader;

    internal bool TryRegister(ulong id, IFrameReceiver receiver) => _lost is null && _receivers.TryAdd(id, receiver);

    internal void Unregister(ulong id) => _receivers.TryRemove(id, out _);

    internal bool TrySend(ClientFrame frame) => _lost is null && _outbox.Writer.TryWrite(frame);

    internal WorkerLostException LostDuring(string routineName, Exception reason) => new(
        $"Lost {Worker} while it was running routine '{routineName}' ({reason.Message}). " +
        "The call may or may not have completed there; Wool does not retry it.",
        reason);

    public async ValueTask DisposeAsync()
    {
        _outbox.Writer.TryComplete();
        try
        {
            await _writer.ConfigureAwait(false);
            await _stream.RequestStream.CompleteAsync().ConfigureAwait(false);
            await _reader.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RpcException or IOException or InvalidOperationException or TimeoutException or OperationCanceledException)
        {
            // The worker is already gone; there is nothing left to close politely.
        }

        FailAll(new ObjectDisposedException(nameof(WorkerConnection), "The pool that owned this connection was disposed."), notify: false);
        _stream.Dispose();
        _channel.Dispose();
    }

    private ulong NextId() => (ulong)Interlocked.Increment(ref _nextId);

    private async Task WriteLoopAsync()
    {
        ChannelReader<ClientFrame> outbox = _outbox.Reader;
        try
        {
            while (await outbox.WaitToReadAsync().ConfigureAwait(false))
            {
                var batch = new ClientBatch();
                int bytes = 0;
                while (batch.Frames.Count < MaxFramesPerBatch && bytes < MaxBatchBytes && outbox.TryRead(out ClientFrame? frame))
                {
                    batch.Frames.Add(frame);
                    bytes += frame.CalculateSize();
                }

                await _stream.RequestStream.WriteAsync(batch).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is RpcException or IOException or InvalidOperationException or OperationCanceledException)
        {
            FailAll(e, notify: true);
        }
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            await foreach (ServerBatch batch in _stream.ResponseStream.ReadAllAsync().ConfigureAwait(false))
            {
                foreach (ServerFrame frame in batch.Frames)
                {
                    if (_receivers.TryGetValue(frame.Id, out IFrameReceiver? receiver) && receiver.OnFrame(frame))
                    {
                        _receivers.TryRemove(frame.Id, out _);
                    }
                }
            }

            // The worker ended the stream on purpose: it is stopping. Not a failure to warn about.
            _closeExpected = true;
            FailAll(new IOException($"{Worker} stopped serving."), notify: true);
        }
        catch (Exception e) when (e is RpcException or IOException or InvalidOperationException or OperationCanceledException)
        {
            FailAll(e, notify: true);
        }
    }

    private void FailAll(Exception reason, bool notify)
    {
        if (Interlocked.CompareExchange(ref _lost, reason, null) is null && notify)
        {
            if (!_closeExpected)
            {
                PoolLog.WorkerLost(_logger, Worker.ToString(), reason.Message);
            }

            Lost?.Invoke(this, reason);
        }

        _outbox.Writer.TryComplete();
        foreach (ulong id in _receivers.Keys)
        {
            if (_receivers.TryRemove(id, out IFrameReceiver? receiver))
            {
                receiver.OnLost(_lost ?? reason);
            }
        }
    }
}
