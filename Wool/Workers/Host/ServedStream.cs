using Wool.Context;
using Wool.Routines;
using Wool.Serialization;
using Wool.Telemetry;

namespace Wool.Workers.Host;

/// <summary>
/// A streaming call a worker serves, paced by the caller's credit: the iterator advances only
/// while the caller has granted items, one step at a time, by a single pump; each step sees the
/// caller's context values as of its latest pull. A close ends it after the current step; the
/// iterator is disposed here, so its <c>finally</c> blocks run on this worker. Thread-safe.
/// </summary>
internal sealed class ServedStream : ServedCall
{
    private readonly RoutinePool _peers;
    private readonly Lock _gate = new();
    private IRoutineStream? _stream;
    private ServerCallTelemetry? _telemetry;
    private ContextValues _context = ContextValues.Empty;
    private readonly CancellationToken _stopToken;
    private CancellationTokenRegistration _stopping;
    private long _credit;
    private long _window = 1;
    private bool _pumping;
    private bool _cancelled;
    private string? _violation;
    private volatile bool _closing;

    public ServedStream(ulong id, WorkerSession session, CancellationToken stopToken, RoutinePool peers)
        : base(id, session, stopToken)
    {
        _peers = peers;
        _stopToken = stopToken;
    }

    /// <summary>Opens the routine's iterator. No user code runs yet: the iterator starts at the first grant.</summary>
    /// <param name="request">The call.</param>
    /// <param name="telemetry">The stream's span and metrics; null when nothing observes it.</param>
    public void Open(RoutineRequest request, ServerCallTelemetry? telemetry)
    {
        _telemetry = telemetry;
        _context = request.Context;
        _stream = RoutineExecutor.OpenStream(request, Token, this, out int prefetch);
        // A caller never has more than the routine's window outstanding (one item when it pulls strictly).
        _window = Math.Max(1, prefetch);
        // The end of a stop's grace cancels every call; a stream waiting for credit must hear it too.
        _stopping = _stopToken.UnsafeRegister(static s => ((ServedStream)s!).Cancel(), this);
    }

    /// <summary>
    /// Lets the stream produce <paramref name="credit"/> more items, with the caller's changed
    /// context values when the pull carried some, and starts the pump if it is idle.
    /// </summary>
    public void Grant(uint credit, ContextValues? context)
    {
        lock (_gate)
        {
            if (context is not null)
            {
                // Later steps see the caller's new values.
                _context = context;
            }

            if (_credit + credit > _window)
            {
                // Only a misbehaving caller asks for more than the window: it would have the worker
                // produce without bound. The stream ends, saying why; the connection keeps serving.
                _violation = $"the caller granted {_credit + credit} items where the routine's window is {_window}";
                _credit = 0;
            }
            else
            {
                _credit += credit;
            }
        }

        if (_violation is not null)
        {
            Cancel();
            return;
        }

        lock (_gate)
        {
            if (_pumping || _closing)
            {
                return;
            }

            _pumping = true;
        }

        RunDetached(PumpAsync);
    }

    /// <summary>
    /// Cancels the routine's token and, when no step is running (the stream waits for the caller's
    /// credit), ends the stream at once, since nothing would otherwise observe the cancellation: its
    /// finally blocks run here and the caller receives an <see cref="OperationCanceledException"/>, as
    /// if the routine had seen its token at its next step. A worker that stops thus never waits on
    /// streams nobody pulls.
    /// </summary>
    public override void Cancel()
    {
        base.Cancel();
        lock (_gate)
        {
            _cancelled = true;
            if (_pumping || _closing)
            {
                // A running step sees the token, and the pump ends the stream if it runs out of credit; a closing stream ends anyway.
                return;
            }

            _pumping = true;
            _closing = true;
        }

        RunDetached(() => FinishAsync(Cancelled()));
    }

    /// <summary>The caller closed the stream early: it ends after the current step (its finally blocks run here).</summary>
    public void Close()
    {
        lock (_gate)
        {
            _closing = true;
            if (_pumping)
            {
                // The pump closes the stream once its current step is done.
                return;
            }

            _pumping = true;
        }

        RunDetached(() => FinishAsync(RoutineReply.Completed));
    }

    /// <summary>
    /// Advances the stream while the caller has granted credit. Items the iterator yields without
    /// waiting go out together in one frame; whenever a step has to wait, what came before it is sent
    /// first, so an item is never held back by a slow next one.
    /// </summary>
    private async Task PumpAsync()
    {
        RoutinePool.UseInThisFlow(_peers);
        _telemetry?.Enter();
        var batch = new StreamBatch(Id, Session.Send);
        long granted = 0;
        ContextValues? applied = null;
        bool cancelled = false;
        while (!_closing)
        {
            if (granted == 0)
            {
                // Out of credit: what was produced goes now, before this pump may stop.
                batch.Send();

                // Take all the credit there is at once: the gate is taken once per grant, not per item.
                lock (_gate)
                {
                    // Closing is checked under the gate too: a Close that saw this pump running relies on it.
                    if (_closing)
                    {
                        break;
                    }

                    if (_credit == 0)
                    {
                        if (!_cancelled)
                        {
                            _pumping = false;
                            return;
                        }

                        // Cancelled while a step ran: nothing would pull this stream again.
                        _closing = true;
                        cancelled = true;
                        break;
                    }

                    granted = _credit;
                    _credit = 0;
                }
            }

            granted--;
            ContextValues context = Volatile.Read(ref _context);

            // A step's own changes never leak into the next: each step runs in this flow, reset to
            // the caller's values whenever they changed.
            if (!ReferenceEquals(context, applied))
            {
                AmbientContext.Apply(context);
                applied = context;
            }

            // Between steps the pump itself sees a cancellation (the caller left, the worker stops),
            // even when the iterator never looks at its token.
            if (Token.IsCancellationRequested)
            {
                cancelled = true;
                break;
            }

            if (batch.IsEmpty)
            {
                try
                {
                    // Items wait for the caller to read the ones before them, as replies do.
                    await Session.HasRoomAsync(Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    cancelled = true;
                    break;
                }
            }

            ValueTask<RoutineReply> step = _stream!.NextAsync(Token);
            if (!step.IsCompleted)
            {
                batch.Send();
            }

            RoutineReply reply = await step.ConfigureAwait(false);
            if (reply.Kind != RoutineReplyKind.Value)
            {
                batch.Send();
                await FinishAsync(reply).ConfigureAwait(false);
                return;
            }

            _telemetry?.Sent(reply.Payload.Length);
            _telemetry?.Item();
            batch.Add(reply.Payload);
            if (batch.IsFull)
            {
                batch.Send();
            }
        }

        batch.Send();
        await FinishAsync(cancelled ? Cancelled() : RoutineReply.Completed).ConfigureAwait(false);
    }

    private RoutineReply Cancelled() => RoutineReply.Failure(
        _violation is { } violation ? new WoolException($"The stream was ended by its worker: {violation}.") : new OperationCanceledException(Token));

    /// <summary>
    /// Ends the stream: disposes the iterator here, so its finally blocks run on this worker, then
    /// sends the terminal reply (what a finally block threw replaces a normal end, as it would locally).
    /// </summary>
    private async Task FinishAsync(RoutineReply reply)
    {
        RoutinePool.UseInThisFlow(_peers);
        _telemetry?.Enter();
        Session.Forget(this);
        try
        {
            await _stream!.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            if (reply.Kind == RoutineReplyKind.Completed)
            {
                reply = RoutineReply.Failure(e);
            }

            // Otherwise the stream already ends with an exception, which the caller receives.
        }
        finally
        {
            _stopping.Dispose();
            if (_telemetry is { } telemetry)
            {
                telemetry.Sent(reply.Payload.Length);
                telemetry.End(ErrorOf(reply));
            }

            Complete(reply);
        }
    }
}
