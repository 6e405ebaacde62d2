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
internal sealed partial class ServedStream : ServedCall
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

    /// <summary>
    /// Opens the routine's iterator (no user code runs yet: the iterator starts at the first grant),
    /// once <paramref name="prepared"/> (the build's shipped code, being fetched) has completed; grants
    /// that arrive meanwhile are kept, and checked against the routine's window when it is known.
    /// </summary>
    /// <param name="request">The call.</param>
    /// <param name="telemetry">The stream's span and metrics; null when nothing observes it.</param>
    /// <param name="prepared">What must complete before the routine can be found; null when nothing.</param>
    public void Open(RoutineRequest request, ServerCallTelemetry? telemetry, Task? prepared = null)
    {
        _telemetry = telemetry;
        _context = request.Context;
        // The end of a stop's grace cancels every call; a stream waiting for credit must hear it too.
        _stopping = _stopToken.UnsafeRegister(static s => ((ServedStream)s!).Cancel(), this);
        if (prepared is null)
        {
            OpenNow(RoutineExecutor.OpenStream(request, Token, this, out int prefetch), prefetch);
            return;
        }

        _ = OpenWhenPreparedAsync(request, prepared);
    }

    private async Task OpenWhenPreparedAsync(RoutineRequest request, Task prepared)
    {
        try
        {
            await prepared.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // The stream ends with why at its first step, whatever credit the caller gave.
            OpenNow(new FailedRoutineStream(e), int.MaxValue);
            return;
        }

        OpenNow(RoutineExecutor.OpenStream(request, Token, this, out int prefetch), prefetch);
    }

    private void OpenNow(IRoutineStream stream, int prefetch)
    {
        bool start;
        lock (_gate)
        {
            if (_closing)
            {
                // Cancelled or closed before it could open: nothing ran, and the end is already sent.
                return;
            }

            _stream = stream;
            // A caller never has more than the routine's window outstanding (one item when it pulls strictly).
            _window = Math.Max(1, prefetch);
            start = Settle();
        }

        Go(start);
    }

    /// <summary>
    /// Lets the stream produce <paramref name="credit"/> more items, with the caller's changed
    /// context values when the pull carried some, and starts the pump if it is idle.
    /// </summary>
    public void Grant(uint credit, ContextValues? context)
    {
        bool start;
        lock (_gate)
        {
            if (context is not null)
            {
                // Later steps see the caller's new values.
                _context = context;
            }

            _credit += credit;
            start = Settle();
        }

        Go(start);
    }

    /// <summary>Under the gate: checks the credit against the window (once the stream is open); whether to start the pump.</summary>
    private bool Settle()
    {
        if (_stream is null)
        {
            // Still waiting for its code: the credit is checked, and the pump started, when it opens.
            return false;
        }

        if (_credit > _window)
        {
            // Only a misbehaving caller asks for more than the window: it would have the worker
            // produce without bound. The stream ends, saying why; the connection keeps serving.
            _violation ??= $"the caller granted {_credit} items where the routine's window is {_window}";
            _credit = 0;
            return false;
        }

        if (_pumping || _closing || _credit == 0)
        {
            return false;
        }

        _pumping = true;
        return true;
    }

    private void Go(bool start)
    {
        if (_violation is not null)
        {
            Cancel();
        }
        else if (start)
        {
            RunDetached(PumpAsync);
        }
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
}
