using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Wool.Telemetry;

/// <summary>
/// What a caller's and a worker's observation of one call share: its span (if any), its start, its
/// place among the calls in flight, its item and byte counts, and its one end, which records the
/// outcome and the duration and ends the span. Best effort: what a listener throws is logged once
/// (<see cref="TelemetryLog"/>) and costs the call nothing else. The counters are thread-safe;
/// <see cref="End"/> acts once.
/// </summary>
internal abstract class CallTelemetry
{
    private readonly CallInstruments _instruments;
    private readonly string _routine;
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly bool _active;
    private readonly bool _streaming;
    private long _items;
    private int _ended;

    protected CallTelemetry(CallInstruments instruments, string routine, bool streaming, Activity? span)
    {
        _instruments = instruments;
        _routine = routine;
        _streaming = streaming;
        Span = span;
        if (instruments.Active.Enabled)
        {
            // Remembered: a listener that attaches mid-call must not see an end without a start.
            _active = true;
            instruments.Active.Add(1, RoutineTag);
        }
    }

    /// <summary>The call's span; null when nothing samples it.</summary>
    protected Activity? Span { get; }

    /// <summary>The routine's name (the span's name and the <c>rpc.method</c> tag).</summary>
    protected string Routine => _routine;

    private KeyValuePair<string, object?> RoutineTag => new(WoolInstruments.RoutineTag, _routine);

    public void Sent(int bytes) => Count(_instruments.Sent, bytes);

    public void Received(int bytes) => Count(_instruments.Received, bytes);

    /// <summary>A stream item passed (arrived at the caller, or left the worker).</summary>
    public void Item()
    {
        Interlocked.Increment(ref _items);
        Count(_instruments.Items, 1);
    }

    /// <summary>The call ended: returned (<paramref name="error"/> null), threw, was cancelled, or never ran.</summary>
    public void End(Exception? error)
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0)
        {
            return;
        }

        try
        {
            string outcome = CallOutcomes.Of(error);
            KeyValuePair<string, object?> ended = new(WoolInstruments.OutcomeTag, outcome);
            _instruments.Calls.Add(1, RoutineTag, ended);
            _instruments.Duration.Record(Stopwatch.GetElapsedTime(_started).TotalSeconds, RoutineTag, ended);
            if (_active)
            {
                _instruments.Active.Add(-1, RoutineTag);
            }

            if (Span is { } span)
            {
                if (span.IsAllDataRequested)
                {
                    TagEnd(span);
                }

                Spans.End(span, outcome, error, _streaming ? Volatile.Read(ref _items) : null);
            }
        }
        catch (Exception e)
        {
            TelemetryLog.Failed(e);
        }
    }

    /// <summary>Tags the span with what is known only at the end (the caller: which worker ran the call).</summary>
    protected virtual void TagEnd(Activity span)
    {
    }

    /// <summary>Tags a span at its start: the RPC system and the routine.</summary>
    protected static void TagStart(Activity? span, string routine)
    {
        if (span is { IsAllDataRequested: true })
        {
            // AddTag, not SetTag: each tag is set once, and AddTag does not search the list.
            span.AddTag("rpc.system", "wool");
            span.AddTag(WoolInstruments.RoutineTag, routine);
        }
    }

    protected void Count(Counter<long> counter, long value)
    {
        try
        {
            counter.Add(value, RoutineTag);
        }
        catch (Exception e)
        {
            TelemetryLog.Failed(e);
        }
    }
}
