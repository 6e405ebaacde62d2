using System.Diagnostics;

namespace Wool.Telemetry;

/// <summary>
/// Worker side: the server span and the metrics of one call a worker serves, or of one stream
/// for its whole life. The span is the child of the caller's (the context the call carried), never
/// of whatever the worker's own flow holds. When the caller is tracing but nothing on this worker
/// listens to Wool, a bare activity still carries the caller's trace (as ASP.NET Core does for a
/// request): nested calls continue the trace, and log lines written in the call carry its ids.
/// Null from <see cref="Start"/> when there is nothing to record or carry. Ends once.
/// </summary>
internal sealed class ServerCallTelemetry
{
    private readonly Activity? _span;
    private readonly string _routine;
    private readonly long _started;
    private readonly bool _active;
    private readonly bool _streaming;
    private long _items;
    private int _ended;

    private ServerCallTelemetry(string routine, bool streaming, Activity? span)
    {
        _routine = routine;
        _streaming = streaming;
        _span = span;
        _started = Stopwatch.GetTimestamp();
        if (WoolInstruments.ServerActive.Enabled)
        {
            _active = true;
            WoolInstruments.ServerActive.Add(1, new KeyValuePair<string, object?>(WoolInstruments.RoutineTag, routine));
        }
    }

    /// <summary>Whether a call with this trace context is worth observing (see <see cref="Start"/>).</summary>
    public static bool IsWanted(in ActivityContext parent) => parent != default || WoolInstruments.ServerEnabled;

    /// <summary>
    /// Starts observing a call of <paramref name="routine"/> whose caller sent <paramref name="parent"/>
    /// and <paramref name="baggage"/>; null when nothing listens and the caller is not tracing.
    /// </summary>
    /// <param name="routine">The routine's name.</param>
    /// <param name="streaming">Whether the call is a stream (its span counts items).</param>
    /// <param name="payloadBytes">The size of the call's serialized payload.</param>
    /// <param name="parent">The caller's span; default for none.</param>
    /// <param name="baggage">The caller's W3C baggage, parsed only when a span is made.</param>
    /// <param name="enter">
    /// Leave the span current in this flow (the routine's own flow starts it); otherwise the flow's
    /// activity is restored, and <see cref="Enter"/> makes the span current where the routine runs.
    /// </param>
    public static ServerCallTelemetry? Start(string routine, bool streaming, int payloadBytes, ActivityContext parent, string? baggage, bool enter)
    {
        if (!IsWanted(parent))
        {
            return null;
        }

        Activity? previous = Activity.Current;
        if (previous is not null)
        {
            // A root span when the caller sent no context, not a child of whatever this flow holds.
            Activity.Current = null;
        }

        Activity? span = null;
        try
        {
            span = WoolInstruments.Source.StartActivity(routine, ActivityKind.Server, parent);
            if (span is null && parent != default)
            {
                span = new Activity(routine).SetParentId(parent.TraceId, parent.SpanId, parent.TraceFlags);
                span.TraceStateString = parent.TraceState;
                span.Start();
            }

            if (span is not null)
            {
                foreach (var (name, value) in TraceBaggage.Parse(baggage))
                {
                    span.AddBaggage(name, value);
                }

                if (span.IsAllDataRequested)
                {
                    span.AddTag("rpc.system", "wool");
                    span.AddTag(WoolInstruments.RoutineTag, routine);
                }
            }

            WoolInstruments.ServerReceived.Add(payloadBytes, new KeyValuePair<string, object?>(WoolInstruments.RoutineTag, routine));
            return new ServerCallTelemetry(routine, streaming, span);
        }
        catch (Exception e)
        {
            // A listener threw: the call runs without telemetry.
            TelemetryLog.Failed(e);
            span = null;
            return null;
        }
        finally
        {
            if (!enter || span is null)
            {
                Activity.Current = previous;
            }
        }
    }

    /// <summary>Makes the call's span current in this flow: the routine, its log lines and its nested calls run in it.</summary>
    public void Enter()
    {
        if (_span is not null)
        {
            Activity.Current = _span;
        }
    }

    /// <summary>A reply (result, item or exception) of <paramref name="bytes"/> bytes leaves for the caller.</summary>
    public void Sent(int bytes, bool item)
    {
        try
        {
            WoolInstruments.ServerSent.Add(bytes, new KeyValuePair<string, object?>(WoolInstruments.RoutineTag, _routine));
            if (item)
            {
                Interlocked.Increment(ref _items);
                WoolInstruments.ServerItems.Add(1, new KeyValuePair<string, object?>(WoolInstruments.RoutineTag, _routine));
            }
        }
        catch (Exception e)
        {
            TelemetryLog.Failed(e);
        }
    }

    /// <summary>The call ended: the routine returned (<paramref name="error"/> null) or threw, or was cancelled.</summary>
    public void End(Exception? error)
    {
        try
        {
            if (Interlocked.Exchange(ref _ended, 1) != 0)
            {
                return;
            }

            string outcome = CallOutcomes.Of(error);
            KeyValuePair<string, object?> routine = new(WoolInstruments.RoutineTag, _routine);
            KeyValuePair<string, object?> ended = new(WoolInstruments.OutcomeTag, outcome);
            WoolInstruments.ServerCalls.Add(1, routine, ended);
            WoolInstruments.ServerDuration.Record(Stopwatch.GetElapsedTime(_started).TotalSeconds, routine, ended);
            if (_active)
            {
                WoolInstruments.ServerActive.Add(-1, routine);
            }

            if (_span is { } span)
            {
                Spans.End(span, outcome, error, _streaming ? Volatile.Read(ref _items) : null);
            }
        }
        catch (Exception e)
        {
            TelemetryLog.Failed(e);
        }
    }

    /// <summary>This worker refused a call before running it (counted; no span: nothing ran).</summary>
    public static void Refused(bool transient, bool otherBuild)
    {
        try
        {
            WoolInstruments.ServerRefusals.Add(1, new KeyValuePair<string, object?>(WoolInstruments.RefusalTag, WoolInstruments.Refusal(transient, otherBuild)));
        }
        catch (Exception e)
        {
            TelemetryLog.Failed(e);
        }
    }
}
