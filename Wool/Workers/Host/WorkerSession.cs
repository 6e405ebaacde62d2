using System.Collections.Concurrent;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Wool.Routines;
using Wool.Telemetry;
using Wool.Workers.Protocol;

namespace Wool.Workers.Host;

/// <summary>
/// Serves one caller's call channel: reads batches of frames in order and routes each to the call
/// it concerns, starts the calls <see cref="CallAdmission"/> lets through, and writes replies as
/// they are ready, batched. When the caller goes away, its calls are cancelled.
/// </summary>
/// <param name="runtime">The worker.</param>
/// <param name="logger">The worker's log.</param>
/// <param name="owner">Whether the caller is the pool that spawned this worker, the only one whose peer lists it takes.</param>
/// <param name="codeRefusal">When the worker accepts shipped code but not from this caller: why; null otherwise.</param>
internal sealed class WorkerSession(WorkerRuntime runtime, ILogger logger, bool owner = false, string? codeRefusal = null)
{
    private SessionCode? _code;

    private readonly ConcurrentDictionary<ulong, ServedCall> _calls = new();
    private readonly CallAdmission _admission = new(runtime, logger);
    private readonly SessionOutbox _outbox = new(4L * runtime.Limits.MaxMessageSize, logger);
    private int _callsOpen;
    private int _streamsOpen;

    // Single-result calls whose reply is queued but not yet written: they still count toward the
    // connection's share, so a caller that reads no replies soon has no more calls run.
    private readonly ConcurrentDictionary<ulong, byte> _repliesUnsent = new();

    public async Task RunAsync(IAsyncStreamReader<ClientBatch> requests, IServerStreamWriter<ServerBatch> responses, CancellationToken connectionAborted)
    {
        _code = runtime.Code is { } store ? new SessionCode(Send, store, codeRefusal, logger) : null;
        Task writer = _outbox.WriteAllAsync(responses, RepliesWritten);
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(connectionAborted, runtime.Shutdown);
        RpcException? malformed = null;
        try
        {
            while (await _outbox.HasRoomAsync(reading.Token).ConfigureAwait(false) && await requests.MoveNext(reading.Token).ConfigureAwait(false))
            {
                foreach (ClientFrame frame in requests.Current.Frames)
                {
                    Handle(frame);
                }
            }

            WorkerLog.ConnectionEnded(logger, "the caller closed it");
        }
        catch (InvalidProtocolBufferException e)
        {
            WorkerLog.ConnectionEnded(logger, $"the caller sent a frame that cannot be decoded: {e.Message}");
            malformed = new RpcException(new Status(StatusCode.InvalidArgument, $"This worker could not decode a frame the caller sent ({e.Message}); the connection is closed. Connect with a Wool pool of the same version."));
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException or RpcException)
        {
            WorkerLog.ConnectionEnded(logger, runtime.Shutdown.IsCancellationRequested ? "the worker is stopping" : e.Message);
        }

        _code?.Lost();
        if (connectionAborted.IsCancellationRequested || malformed is not null)
        {
            // Nobody will read the replies: stop the work.
            foreach (ServedCall call in _calls.Values)
            {
                call.Cancel();
            }
        }

        _outbox.Complete();
        await writer.ConfigureAwait(false);
        if (malformed is not null)
        {
            throw malformed;
        }
    }

    /// <summary>Queues a frame for the caller; dropped once the connection is closing.</summary>
    internal void Send(ServerFrame frame) => _outbox.TrySend(frame);

    /// <summary>Waits until the caller has read enough of its replies for more to be produced.</summary>
    internal ValueTask<bool> HasRoomAsync(CancellationToken cancellationToken) => _outbox.HasRoomAsync(cancellationToken);

    /// <summary>A batch of replies reached the caller: their calls count out of the connection's share.</summary>
    private void RepliesWritten(Google.Protobuf.Collections.RepeatedField<ServerFrame> frames)
    {
        foreach (ServerFrame frame in frames)
        {
            if (_repliesUnsent.TryRemove(frame.Id, out _))
            {
                Interlocked.Decrement(ref _callsOpen);
            }
        }
    }

    /// <summary>Stops routing frames to <paramref name="call"/> (it is ending).</summary>
    internal void Forget(ServedCall call) => _calls.TryRemove(new KeyValuePair<ulong, ServedCall>(call.Id, call));

    /// <summary>Ends <paramref name="call"/> with its terminal frame; the worker counts it out.</summary>
    internal void Complete(ServedCall call, ServerFrame reply)
    {
        if (call is ServedStream)
        {
            Interlocked.Decrement(ref _streamsOpen);
        }
        else if (!_repliesUnsent.TryAdd(call.Id, 0))
        {
            // The caller reused an id whose reply is still queued: count this call out now.
            Interlocked.Decrement(ref _callsOpen);
        }

        Forget(call);
        Send(reply);
        call.Dispose();
        runtime.Exit();
    }

    private void Handle(ClientFrame frame)
    {
        ulong id = frame.Id;
        switch (frame.KindCase)
        {
            case ClientFrame.KindOneofCase.Call:
                Start(id, frame.Call, frame, streaming: false);
                break;
            case ClientFrame.KindOneofCase.OpenStream:
                Start(id, frame.OpenStream, frame, streaming: true);
                break;
            case ClientFrame.KindOneofCase.Peers:
                SetPeers(frame.Peers);
                break;
            case ClientFrame.KindOneofCase.Code:
                // Code this worker asked for (by a number of its own, not a call's id); unasked-for code is dropped.
                _code?.OnChunk(id, frame.Code);
                break;
            case ClientFrame.KindOneofCase.Pull:
                // Credit for a stream that already ended is normal with a prefetch window: ignore it.
                if (_calls.TryGetValue(id, out ServedCall? pulled) && pulled is ServedStream stream)
                {
                    stream.Grant(frame.Pull, frame.Context.Count > 0 ? ContextFrames.Read(frame.Context) : null);
                }

                break;
            case ClientFrame.KindOneofCase.Cancel:
                if (_calls.TryGetValue(id, out ServedCall? cancelled))
                {
                    cancelled.Cancel();
                }

                break;
            case ClientFrame.KindOneofCase.Close:
                if (_calls.TryGetValue(id, out ServedCall? closed) && closed is ServedStream closing)
                {
                    closing.Close();
                }
                else
                {
                    Send(new ServerFrame { Id = id, Completed = true });
                }

                break;
            case ClientFrame.KindOneofCase.ArgumentItem:
                Answer(id, frame.ArgumentItem.Slot, RoutineReply.Value(frame.ArgumentItem.Value.Memory));
                break;
            case ClientFrame.KindOneofCase.ArgumentEnd:
                Answer(id, frame.ArgumentEnd.Slot, frame.ArgumentEnd.Exception.IsEmpty ? RoutineReply.Completed : RoutineReply.Exception(frame.ArgumentEnd.Exception.Memory));
                break;
            default:
                WorkerLog.UnknownFrame(logger, frame.KindCase.ToString(), id);
                Reject(id, new Rejection { Reason = $"this worker does not understand frames of kind '{frame.KindCase}'" });
                break;
        }
    }

    private void Start(ulong id, Call call, ClientFrame frame, bool streaming)
    {
        if (_admission.Check(id, call, streaming, (Volatile.Read(ref _callsOpen), Volatile.Read(ref _streamsOpen))) is { } refused)
        {
            RejectCall(id, refused);
            return;
        }

        // A worker that takes shipped code decides per build (it may run several); others refuse another
        // build of their application (a rolling deploy: the caller's pool moves the call to a worker of
        // its build). Either refusal is not an error, and the call, admitted above, counts out again.
        if ((_code is null ? WireProtocol.OtherBuild(call) : _code.Refusal(id, call)) is { } notHere)
        {
            runtime.Exit();
            RejectCall(id, notHere);
            return;
        }

        ServedCall served = streaming
            ? new ServedStream(id, this, runtime.CallsCancelled, runtime.Peers)
            : new ServedUnaryCall(id, this, runtime.CallsCancelled, runtime.Peers);
        if (!_calls.TryAdd(id, served))
        {
            served.Dispose();
            runtime.Exit();
            RejectCall(id, new Rejection { Reason = "a call with this id is already in progress on this connection" });
            return;
        }

        Interlocked.Increment(ref streaming ? ref _streamsOpen : ref _callsOpen);

        if (call.AcceptDeadlineUnixMs != 0)
        {
            Send(new ServerFrame { Id = id, Accepted = true });
        }

        RoutineRequest request = WireProtocol.ToRequest(call, frame);
        WorkerMemory.Moved(request.Payload.Length);
        // Read here, in order; a single call's span starts in its own flow, off this loop.
        var (parent, baggage) = TraceFrames.Read(call);
        bool observed = ServerCallTelemetry.IsWanted(parent);
        Task? prepared = _code?.Prepare(id, request, served);
        if (served is ServedStream stream)
        {
            stream.Open(request, observed ? ServedCall.Observe(request, streaming: true, parent, baggage, enter: false) : null, prepared);
        }
        else
        {
            ((ServedUnaryCall)served).Start(request, observed ? new CallTrace(parent, baggage) : null, prepared);
        }
    }

    private void SetPeers(PeerList list)
    {
        if (!owner)
        {
            // Peers decide where this worker's nested calls (and their arguments) go: only the
            // pool that owns the worker names them; a durable worker follows its own discovery.
            WorkerLog.PeersRefused(logger);
            return;
        }

        var peers = new List<WorkerInfo>(list.Peers.Count);
        foreach (Peer peer in list.Peers)
        {
            if (!Uri.TryCreate(peer.Address, UriKind.Absolute, out Uri? address))
            {
                // A pool of this version never sends this; keep the peers the worker has.
                WorkerLog.PeersIgnored(logger, peer.Address);
                return;
            }

            peers.Add(new WorkerInfo(peer.Id, address, peer.ProcessId));
        }

        runtime.Peers.SetPeers(peers);
        WorkerLog.PeersChanged(logger, peers.Count);
    }

    private void Answer(ulong id, uint slot, RoutineReply reply)
    {
        if (_calls.TryGetValue(id, out ServedCall? call))
        {
            call.Answer(slot, reply);
        }
    }

    /// <summary>Refuses a call before it runs (counted by the worker's metrics).</summary>
    private void RejectCall(ulong id, Rejection rejection)
    {
        ServerCallTelemetry.Refused(rejection.Transient, !rejection.Build.IsEmpty);
        Reject(id, rejection);
    }

    private void Reject(ulong id, Rejection rejection)
    {
        WorkerLog.CallRefused(logger, id, rejection.Reason);
        Send(new ServerFrame { Id = id, Rejected = rejection });
    }
}
