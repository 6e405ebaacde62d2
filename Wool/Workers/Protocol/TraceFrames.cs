using System.Diagnostics;

namespace Wool.Workers.Protocol;

/// <summary>
/// The caller's trace context in a call: W3C <c>traceparent</c>, <c>tracestate</c> and
/// <c>baggage</c>, in fields of those names, written from the caller's current activity (Wool's
/// client span, or the application's own activity when nothing listens to Wool) and read by the
/// worker for its server span. Always W3C, whatever <see cref="DistributedContextPropagator.Current"/>
/// is: both ends are Wool. Three plain strings, so a traced call costs little more on the wire.
/// </summary>
internal static class TraceFrames
{
    /// <summary>The longest traceparent or baggage read (W3C's limit for baggage).</summary>
    public const int MaxValueLength = 8192;

    /// <summary>The longest tracestate kept (W3C's limit).</summary>
    public const int MaxTraceStateLength = 512;

    private const string TraceParent = "traceparent";
    private const string TraceState = "tracestate";
    private const string Baggage = "baggage";

    private static readonly DistributedContextPropagator s_w3c = DistributedContextPropagator.CreateW3CPropagator();

    /// <summary>Writes the current activity's context into <paramref name="call"/>; nothing when the flow has none.</summary>
    public static void Write(Call call)
    {
        if (Activity.Current is { } current)
        {
            s_w3c.Inject(current, call, static (carrier, name, value) =>
            {
                switch (name)
                {
                    case TraceParent:
                        ((Call)carrier!).Traceparent = value ?? "";
                        break;
                    case TraceState:
                        ((Call)carrier!).Tracestate = value ?? "";
                        break;
                    case Baggage:
                        ((Call)carrier!).Baggage = value ?? "";
                        break;
                }
            });
        }
    }

    /// <summary>
    /// The caller's span context and its raw baggage (parsed by the span that keeps it); <c>default</c>
    /// when the call carries none, or a malformed or oversized one (a trace is a diagnostic: the call
    /// runs either way). A tracestate that is not W3C's (over 512 characters, or with characters outside
    /// printable ASCII) is dropped, the trace kept.
    /// </summary>
    public static (ActivityContext Parent, string? Baggage) Read(Call call)
    {
        string traceParent = call.Traceparent;
        if (traceParent.Length == 0 || traceParent.Length > MaxValueLength)
        {
            return default;
        }

        string? traceState = call.Tracestate;
        if (traceState.Length == 0 || traceState.Length > MaxTraceStateLength || traceState.AsSpan().ContainsAnyExceptInRange(' ', '~'))
        {
            traceState = null;
        }

        if (!ActivityContext.TryParse(traceParent, traceState, isRemote: true, out ActivityContext parent))
        {
            return default;
        }

        return (parent, call.Baggage.Length is 0 or > MaxValueLength ? null : call.Baggage);
    }
}
