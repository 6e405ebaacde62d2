using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Threading.Channels;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Wool.Context;
using Wool.Routines;
using Wool.Workers.Protocol;

namespace Wool.Workers;

/// <summary>
/// Serves one caller's call channel: reads batches of frames, runs each call on the thread pool
/// (so a slow or CPU-bound routine never holds up the others), and writes replies as they are
/// ready, batched. When the caller goes away, its calls are cancelled.
/// </summary>
internal sealed class WorkerSession(WorkerRuntime runtime, ILogger logger)
{
    private readonly Channel<ServerFrame> _outbox = Channel.CreateUnbounded<ServerFrame>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<ulong, ServerCall> _calls = new();

    // Routine numbers this connection's caller has given (see TryName); read loop only.
    private readonly Dictionary<uint, Call> _routineNames = [];

    public async Task RunAsync(IAsyncStreamReader<ClientBatch> requests, IServerStreamWriter<ServerBatch> responses, CancellationToken connectionAborted)
    {
        Task writer = WriteLoopAsync(responses);
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(connectionAborted, runtime.Shutdown);
        RpcException? malformed = null;
        try
        {
            while (await requests.MoveNext(reading.Token).ConfigureAwait(false))
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

        if (connectionAborted.IsCancellationRequested || malformed is not null)
        {
            // Nobody will read the replies: stop the work.
            foreach (ServerCall call in _calls.Values)
            {
                call.Cancel();
            }
        }

        _outbox.Writer.TryComplete();
        await writer.ConfigureAwait(false);
        if (malformed is not null)
        {
            throw malformed;
        }
    }

    private void SetPeers(PeerList list)
    {
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

    private void Handle(ClientFrame frame)
    {
        ulong id = frame.Id;
        switch (frame.KindCase)
        {
            case ClientFrame.KindOneofCase.Call:
                Start(id, frame.Call, frame, streaming: false);
                break;
            case ClientFrame.KindOneofCase.Peers:
                SetPeers(frame.Peers);
                break;
            case ClientFrame.KindOneofCase.OpenStream:
                Start(id, frame.OpenStream, frame, streaming: true);
                break;
            case ClientFrame.KindOneofCase.Pull:
                // Credit for a stream that already ended is normal with a prefetch window: ignore it.
                if (_calls.TryGetValue(id, out ServerCall? pulled) && pulled.Stream is not null)
                {
                    if (frame.Context.Count > 0)
                    {
                        // The caller's values changed since the last step: later steps see the new ones.
                        pulled.Context = AmbientContext.FromWire(AmbientContext.Read(frame.Context));
                    }

                    Grant(id, pulled, frame.Pull);
                }

                break;
            case ClientFrame.KindOneofCase.Cancel:
                if (_calls.TryGetValue(id, out ServerCall? cancelled))
                {
                    cancelled.Cancel();
                }

                break;
            case ClientFrame.KindOneofCase.Close:
                if (_calls.TryGetValue(id, out ServerCall? closed) && closed.Stream is not null)
                {
                    Close(id, closed);
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
                Reject(id, $"this worker does not understand frames of kind '{frame.KindCase}'", transient: false);
                break;
        }
    }

    private void Start(ulong id, Call call, ClientFrame frame, bool streaming)
    {
        if (call.Protocol != WireProtocol.Version)
        {
            Reject(id, $"the caller speaks Wool protocol {call.Protocol}; this worker speaks version {WireProtocol.Version}. Run the same Wool version on callers and workers", transient: false);
            return;
        }

        if (!TryName(id, call))
        {
            return;
        }

        bool confirm = call.AcceptDeadlineUnixMs != 0;
        if (confirm && DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() > call.AcceptDeadlineUnixMs)
        {
            // The caller has given up on this worker and may have sent the call elsewhere: running
            // it here could run it twice.
            Reject(id, "the call reached this worker after its dispatch deadline", transient: true);
            return;
        }

        if (runtime.Admission is { } policy && !Admit(policy, id, call))
        {
            return;
        }

        if (!runtime.TryEnter())
        {
            Reject(id, "the worker is stopping", transient: true);
            return;
        }

        var state = new ServerCall(runtime.CallsCancelled);
        if (!_calls.TryAdd(id, state))
        {
            state.Dispose();
            runtime.Exit();
            Reject(id, "a call with this id is already in progress on this connection", transient: false);
            return;
        }

        if (confirm)
        {
            Send(new ServerFrame { Id = id, Accepted = true });
        }

        RoutineRequest request = WireProtocol.ToRequest(call, frame);
        var arguments = new SessionArgumentSource(id, state, Send);
        if (streaming)
        {
            state.Context = AmbientContext.FromWire(request.Context.Values);
            // No user code runs when a stream opens: the iterator starts at the first pull.
            state.Stream = RoutineExecutor.OpenStream(request, state.Token, arguments);
        }
        else
        {
            RunDetached(() => InvokeAsync(id, state, request, arguments));
        }
    }

    /// <summary>
    /// Resolves a call's routine number (<c>routine_ref</c>): a call that names its routine in full
    /// gives the number to that name; a call with the number alone gets the name back. Only the
    /// read loop calls this, in frame order. False, and the call refused, for an unknown number.
    /// </summary>
    private bool TryName(ulong id, Call call)
    {
        uint number = call.RoutineRef;
        if (number == 0)
        {
            return true;
        }

        if (call.Assembly.Length > 0)
        {
            if (_routineNames.Count >= WireProtocol.MaxRoutineRefs && !_routineNames.ContainsKey(number))
            {
                Reject(id, $"the caller numbered more than {WireProtocol.MaxRoutineRefs} routines on one connection", transient: false);
                return false;
            }

            var name = new Call { Assembly = call.Assembly, Routine = call.Routine, ModuleVersionId = call.ModuleVersionId };
            name.TypeArguments.AddRange(call.TypeArguments);
            _routineNames[number] = name;
            return true;
        }

        if (!_routineNames.TryGetValue(number, out Call? named))
        {
            Reject(id, $"routine number {number} was never named on this connection", transient: false);
            return false;
        }

        call.Assembly = named.Assembly;
        call.Routine = named.Routine;
        call.ModuleVersionId = named.ModuleVersionId;
        call.TypeArguments.AddRange(named.TypeArguments);
        return true;
    }

    private bool Admit(IAdmissionPolicy policy, ulong id, Call call)
    {
        bool admitted;
        try
        {
            admitted = policy.Admit(new AdmissionRequest(call.Routine, call.Assembly, runtime.InFlight));
        }
        catch (Exception e)
        {
            WorkerLog.AdmissionPolicyFailed(logger, e, id, call.Routine);
            Reject(id, $"the worker's admission policy failed ({e.GetType().Name}: {e.Message})", transient: false);
            return false;
        }

        if (!admitted)
        {
            Reject(id, "the worker's admission policy refused it (busy)", transient: true);
        }

        return admitted;
    }

    private async Task InvokeAsync(ulong id, ServerCall state, RoutineRequest request, IArgumentSource arguments)
    {
        RoutinePool.UseInThisFlow(runtime.Peers);
        RoutineReply reply = await RoutineExecutor.InvokeAsync(request, state.Token, arguments).ConfigureAwait(false);
        _calls.TryRemove(id, out _);
        Send(WireProtocol.ToFrame(id, reply));
        End(state);
    }

    /// <summary>Adds credit and starts the pump if it is idle. One pump per stream: the iterator is advanced by one step at a time.</summary>
    private void Grant(ulong id, ServerCall state, uint credit)
    {
        lock (state.Gate)
        {
            state.Credit += credit;
            if (state.Pumping || state.Closing)
            {
                return;
            }

            state.Pumping = true;
        }

        RunDetached(() => PumpAsync(id, state));
    }

    private void Close(ulong id, ServerCall state)
    {
        lock (state.Gate)
        {
            state.Closing = true;
            if (state.Pumping)
            {
                // The pump closes the stream once its current step is done.
                return;
            }

            state.Pumping = true;
        }

        RunDetached(() => FinishAsync(id, state, RoutineReply.Completed));
    }

    /// <summary>Advances the stream while the caller has granted credit, sending each item as it comes.</summary>
    private async Task PumpAsync(ulong id, ServerCall state)
    {
        RoutinePool.UseInThisFlow(runtime.Peers);
        long granted = 0;
        ImmutableDictionary<string, ContextEntry>? applied = null;
        bool first = true;
        while (!state.Closing)
        {
            if (granted == 0)
            {
                // Take all the credit there is at once: the gate is taken once per grant, not per item.
                lock (state.Gate)
                {
                    // Closing is checked under the gate too: a Close that saw this pump running relies on it.
                    if (state.Closing)
                    {
                        break;
                    }

                    if (state.Credit == 0)
                    {
                        state.Pumping = false;
                        return;
                    }

                    granted = state.Credit;
                    state.Credit = 0;
                }
            }

            granted--;

            // Each step sees the caller's values as of the latest pull (a step's own changes never
            // leak into the next: the iterator's steps run in their own execution context).
            ImmutableDictionary<string, ContextEntry>? context = state.Context;
            if (first || !ReferenceEquals(context, applied))
            {
                AmbientContext.Replace(context);
                applied = context;
                first = false;
            }

            RoutineReply reply = await state.Stream!.NextAsync(state.Token).ConfigureAwait(false);
            if (reply.Kind != RoutineReplyKind.Value)
            {
                await FinishAsync(id, state, reply).ConfigureAwait(false);
                return;
            }

            Send(WireProtocol.ToFrame(id, reply));
        }

        await FinishAsync(id, state, RoutineReply.Completed).ConfigureAwait(false);
    }

    /// <summary>
    /// Ends a stream: disposes the iterator here, so its finally blocks run on this worker, then
    /// sends the terminal reply (what a finally block threw replaces a normal end, as it would locally).
    /// </summary>
    private async Task FinishAsync(ulong id, ServerCall state, RoutineReply reply)
    {
        RoutinePool.UseInThisFlow(runtime.Peers);
        _calls.TryRemove(id, out _);
        try
        {
            await state.Stream!.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (reply.Kind == RoutineReplyKind.Completed)
        {
            reply = RoutineReply.Exception(Serialization.WoolSerializer.SerializeException(e));
        }

        Send(WireProtocol.ToFrame(id, reply));
        End(state);
    }

    private void Answer(ulong id, uint slot, RoutineReply reply)
    {
        if (_calls.TryGetValue(id, out ServerCall? call) && call.ArgumentPulls.TryRemove(slot, out var pending))
        {
            pending.TrySetResult(reply);
        }
    }

    private void End(ServerCall state)
    {
        state.Dispose();
        runtime.Exit();
    }

    private void Reject(ulong id, string reason, bool transient)
    {
        WorkerLog.CallRefused(logger, id, reason);
        Send(new ServerFrame { Id = id, Rejected = new Rejection { Reason = reason, Transient = transient } });
    }

    private void Send(ServerFrame frame) => _outbox.Writer.TryWrite(frame);

    private static void RunDetached(Func<Task> work)
        => ThreadPool.UnsafeQueueUserWorkItem(static w => _ = w(), work, preferLocal: false);

    private async Task WriteLoopAsync(IServerStreamWriter<ServerBatch> responses)
    {
        try
        {
            await FrameBatches.SendAllAsync(_outbox.Reader, static (ServerBatch batch) => batch.Frames, responses.WriteAsync).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or OperationCanceledException or RpcException)
        {
            WorkerLog.ConnectionEnded(logger, $"replies could not be written: {e.Message}");
        }
    }
}
