using System.Diagnostics;

namespace Wool.Telemetry;

/// <summary>
/// Worker side: the server span and the metrics of one call a worker serves, or of one stream
/// for its whole life. The span is the child of the caller's (the context the call carried), never
/// of whatever the worker's own flow holds. When the caller is tracing but nothing on this worker
/// listens to Wool, a bare activity still carries the caller's trace (as ASP.NET Core does for a
/// request): nested calls continue the trace, and log lines written in the call carry its ids.
/// Null from <see cref="Start"/> when there is nothing to record or carry.
/// </summary>
internal sealed class ServerCallTelemetry : CallTelemetry
{
    private ServerCallTelemetry(string routine, bool streaming, Activity? span)
        : base(WoolInstruments.Server, routine, streaming, span)
    {
    }

    /// <summary>Whether a call with this trace context is worth observing (see <see cref="Start"/>).</summary>
    public static bool IsWanted(in ActivityContext parent) => parent != default || WoolInstruments.Server.Enabled;

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

                TagStart(span, routine);
            }

            var telemetry = new ServerCallTelemetry(routine, streaming, span);
            telemetry.Received(payloadBytes);
            return telemetry;
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
        if (Span is not null)
        {
            Activity.Current = Span;
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
