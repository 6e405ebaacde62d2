using Wool.Context;
using Wool.Routines;
using Wool.Telemetry;

namespace Wool.Workers.Host;

/// <summary>The pump of a <see cref="ServedStream"/>: its steps, within the caller's credit, and its end.</summary>
internal sealed partial class ServedStream
{
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
            if (_stream is not null)
            {
                await _stream.DisposeAsync().ConfigureAwait(false);
            }
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
