using System.Collections.Concurrent;
using System.Threading.Channels;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Wool.Routines;
using Wool.Security;
using Wool.Workers.Protocol;

namespace Wool.Workers.Client;

/// <summary>
/// One transport to a worker: a single long-lived bidirectional gRPC stream (over TLS when the
/// pool has credentials) that carries every call to that worker at once, multiplexed by call id.
/// Frames that are ready together are sent as one message. When the stream breaks, every call still
/// waiting on it fails, and the link reports itself lost. A <see cref="WorkerConnection"/> owns the
/// current link and, after a credential rotation, the old ones until their calls end. Thread-safe.
/// </summary>
internal sealed class WorkerLink : IAsyncDisposable
{
    private readonly ILogger _logger;
    private readonly IDisposable? _transport;
    private readonly TlsClientHandshake? _tls;
    private readonly AsyncDuplexStreamingCall<ClientBatch, ServerBatch> _stream;
    private readonly Channel<ClientFrame> _outbox = Channel.CreateUnbounded<ClientFrame>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<ulong, IFrameReceiver> _receivers = new();
    private readonly CallerRoutineNumbers _routineNumbers = new();
    private readonly Func<ClientFrame, bool> _trySend;
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly int _maxValueSize;
    private readonly Task _writer;
    private readonly Task _reader;
    private readonly Protocol.Worker.WorkerClient _client;
    private long _nextId;
    private int _queued;
    private volatile Exception? _lost;
    private volatile bool _closeExpected;
    private volatile bool _established;
    private volatile bool _retiring;

    /// <param name="worker">The worker at the other end.</param>
    /// <param name="logger">Where the link logs that it could not connect or was lost.</param>
    /// <param name="invoker">The transport: a gRPC channel's, or an in-process one in tests.</param>
    /// <param name="tls">The handshake that explains a refused connection; null without TLS.</param>
    /// <param name="transport">What to dispose with the link (the channel); null when someone else owns it.</param>
    /// <param name="maxValueSize">The largest call payload the link sends (<see cref="WorkerLimits.MaxMessageSize"/>); the default when null.</param>
    public WorkerLink(WorkerInfo worker, ILogger logger, CallInvoker invoker, TlsClientHandshake? tls = null, IDisposable? transport = null, int? maxValueSize = null)
    {
        _maxValueSize = maxValueSize ?? WorkerLimits.Default.MaxMessageSize;
        Worker = worker;
        _logger = logger;
        _tls = tls;
        _transport = transport;
        _trySend = TrySend;
        _client = new Protocol.Worker.WorkerClient(invoker);
        // The link outlives whatever activity its dialer's flow holds (the first call's span, an
        // application's request): its long-lived stream and loops must belong to no trace.
        System.Diagnostics.Activity? current = System.Diagnostics.Activity.Current;
        System.Diagnostics.Activity.Current = null;
        try
        {
            _stream = _client.Connect(new Metadata { { WireProtocol.VersionHeader, WireProtocol.Version.ToString(System.Globalization.CultureInfo.InvariantCulture) } });
            Established = EstablishAsync();
            // Whoever needs the outcome awaits it; a link nobody asked about must not leave it unobserved.
            Established.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            _writer = WriteLoopAsync();
            _reader = ReadLoopAsync();
        }
        finally
        {
            System.Diagnostics.Activity.Current = current;
        }
    }

    public WorkerInfo Worker { get; }

    public bool IsAlive => _lost is null;

    /// <summary>
    /// Completes once the worker has answered the connection (after the TLS handshake, when there is
    /// one); fails with <see cref="WorkerAuthenticationException"/> when either side refused the other.
    /// </summary>
    public Task Established { get; }

    /// <summary>Raised once, when the link is lost (not when it is disposed).</summary>
    public event Action<WorkerLink, Exception>? Lost;

    /// <summary>Completes when the worker has closed its side of the link (or it broke).</summary>
    public Task Closed => _reader;

    public Task<RoutineReply> InvokeAsync(RoutineRequest request, CancellationToken cancellationToken)
    {
        CheckSize(request);
        var call = new UnaryCall(this, NextId(), request, cancellationToken);
        DateTimeOffset? deadline = request.DispatchTimeout is { } timeout ? DateTimeOffset.UtcNow + timeout : null;
        if (!TryRegister(call.Id, call) || !TrySendCall(call.Id, request, streaming: false, deadline))
        {
            Unregister(call.Id);
            // Never sent: the call did not run, another worker may take it.
            return Task.FromException<RoutineReply>(new CallRejectedException($"{Worker} is unavailable: {_lost?.Message}", transient: true, _lost));
        }

        return call.WaitAsync();
    }

    public IRoutineStream OpenStream(RoutineRequest request, CancellationToken cancellationToken)
        => new RemoteRoutineStream(this, NextId(), request, cancellationToken);

    /// <summary>
    /// Tells the worker which peers its routines dispatch nested calls to. Frames are handled in
    /// order, so every call sent after this one sees the peers; nothing needs to wait for it. On a
    /// lost link there is nothing to tell: the worker is gone from the pool's view.
    /// </summary>
    public void SetPeers(IEnumerable<WorkerInfo> peers)
    {
        var list = new PeerList();
        list.Peers.AddRange(peers.Select(p => new Peer { Id = p.Id, Address = p.Address.ToString(), ProcessId = p.ProcessId }));
        TrySend(new ClientFrame { Peers = list });
    }

    /// <summary>
    /// Asks the worker to stop: it refuses new calls, lets in-flight calls finish for
    /// <paramref name="grace"/>, cancels the rest, then closes its links and exits.
    /// </summary>
    public async Task StopWorkerAsync(TimeSpan grace, CancellationToken cancellationToken)
    {
        _closeExpected = true;
        await _client.StopAsync(new StopRequest { GraceMilliseconds = (long)grace.TotalMilliseconds }, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    public Task<StatusReply> GetStatusAsync(CancellationToken cancellationToken)
        => _client.StatusAsync(new Ack(), cancellationToken: cancellationToken).ResponseAsync;

    /// <summary>Takes no new calls; closes once the calls still running on it have ended.</summary>
    public async Task RetireAsync()
    {
        _retiring = true;
        if (_receivers.IsEmpty)
        {
            _drained.TrySetResult();
        }

        await Task.WhenAny(_drained.Task, _reader).ConfigureAwait(false);
        await DisposeAsync().ConfigureAwait(false);
    }

    internal bool TryRegister(ulong id, IFrameReceiver receiver) => _lost is null && _receivers.TryAdd(id, receiver);

    internal void Unregister(ulong id)
    {
        if (_receivers.TryRemove(id, out _) && _retiring && _receivers.IsEmpty)
        {
            _drained.TrySetResult();
        }
    }

    internal bool TrySend(ClientFrame frame) => _lost is null && _outbox.Writer.TryWrite(frame) && Interlocked.Increment(ref _queued) > 0;

    /// <summary>Frames queued and not yet written (the worker reads slowly, or not at all, when this grows).</summary>
    internal int Queued => Volatile.Read(ref _queued);

    /// <summary>Whether a call of build <paramref name="build"/> was sent on this link (the only builds whose code it serves).</summary>
    internal bool HasSent(Guid build) => _routineNumbers.HasSent(build);

    /// <summary>Sends a call or a stream's opening, named or numbered (see <see cref="CallerRoutineNumbers"/>).</summary>
    internal bool TrySendCall(ulong id, RoutineRequest request, bool streaming, DateTimeOffset? deadline)
        => _routineNumbers.TrySend(id, request, streaming, deadline, _trySend);

    /// <summary>Refuses, before anything is sent or registered, a call larger than this link's message limit.</summary>
    /// <exception cref="WoolSerializationException">The call is too large; it fails alone, and no worker saw it.</exception>
    internal void CheckSize(RoutineRequest request)
    {
        if (request.Payload.Length > _maxValueSize)
        {
            throw new WoolSerializationException(Serialization.WoolSerializer.TooLarge($"The call of routine '{request.RoutineName}'", request.Payload.Length, _maxValueSize));
        }
    }

    /// <summary>What a call learns when the link breaks under it (see <see cref="LinkFailures.DuringCall"/>).</summary>
    internal WoolException LostDuring(string routineName, Exception reason) => LinkFailures.DuringCall(Worker, routineName, reason, _established);

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

        FailAll(new ObjectDisposedException(nameof(WorkerLink), "The pool that owned this connection was disposed."), notify: false);
        _stream.Dispose();
        _transport?.Dispose();
    }

    private ulong NextId() => (ulong)Interlocked.Increment(ref _nextId);

    private async Task EstablishAsync()
    {
        try
        {
            // The worker's service sends its headers, marked, as soon as it accepts the connection.
            Metadata headers = await _stream.ResponseHeadersAsync.ConfigureAwait(false);
            if (headers.GetValue(WireProtocol.AcceptedHeader) is null)
            {
                // Refused before the service saw the call (say, without the access token): the
                // call's status says why. Nothing else reads the stream until this is settled.
                await _stream.ResponseStream.MoveNext(CancellationToken.None).ConfigureAwait(false);
                throw new RpcException(new Status(StatusCode.Unknown, $"{Worker} answered without accepting the connection."));
            }

            _established = true;
        }
        catch (Exception e) when (e is RpcException or IOException or InvalidOperationException or OperationCanceledException)
        {
            Exception reason = Explain(e);
            FailAll(reason, notify: true);
            throw reason;
        }
    }

    /// <summary>A failure before the worker answered, in the terms of the TLS handshake or the access token when either played a part.</summary>
    private Exception Explain(Exception e) => _established ? e : LinkFailures.BeforeAccepted(Worker, e, _tls);

    private async Task WriteLoopAsync()
    {
        try
        {
            await FrameBatches.SendAllAsync(_outbox.Reader, static (ClientBatch batch) => batch.Frames, _stream.RequestStream.WriteAsync, (frames, _) => Interlocked.Add(ref _queued, -frames.Count)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RpcException or IOException or InvalidOperationException or OperationCanceledException)
        {
            FailAll(Explain(e), notify: true);
        }
    }

    private async Task ReadLoopAsync()
    {
        try
        {
            await Established.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Failed before the worker accepted: the establishment has failed every call already.
            return;
        }

        try
        {
            await foreach (ServerBatch batch in _stream.ResponseStream.ReadAllAsync().ConfigureAwait(false))
            {
                foreach (ServerFrame frame in batch.Frames)
                {
                    if (frame.KindCase == ServerFrame.KindOneofCase.CodeRequest)
                    {
                        // The worker asks for code it lacks (by a number of its own, not a call's id).
                        CodeServer.Serve(this, frame.Id, frame.CodeRequest, _logger);
                    }
                    else if (_receivers.TryGetValue(frame.Id, out IFrameReceiver? receiver) && receiver.OnFrame(frame))
                    {
                        Unregister(frame.Id);
                    }
                }
            }

            // The worker ended the stream on purpose: it is stopping. Not a failure to warn about.
            _closeExpected = true;
            FailAll(new IOException($"{Worker} stopped serving."), notify: true);
        }
        catch (Exception e) when (e is RpcException or IOException or InvalidOperationException or OperationCanceledException)
        {
            FailAll(Explain(e), notify: true);
        }
    }

    private void FailAll(Exception reason, bool notify)
    {
        if (Interlocked.CompareExchange(ref _lost, reason, null) is null && notify)
        {
            ClientLog.LinkEnded(_logger, Worker.ToString(), reason.Message, _established, expected: _closeExpected || _retiring);
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

        _drained.TrySetResult();
    }
}
