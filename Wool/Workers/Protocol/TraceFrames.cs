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
    /// <summary>The longest value read; W3C asks for 512 characters of tracestate and 8192 of baggage.</summary>
    public const int MaxValueLength = 8192;

    private const string TraceParent = "traceparent";
    private const string TraceState = "tracestate";
    private const string Baggage = "baggage";

    private static readonly DistributedContextPropagator s_w3c = DistributedContextPropagator.CreateW3CPropagator();

    private static readonly DistributedContextPropagator.PropagatorGetterCallback s_getBaggage = static (object? carrier, string name, out string? value, out IEnumerable<string>? values) =>
    {
        values = null;
        value = name == Baggage ? ((Call)carrier!).Baggage : null;
    };

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
    /// The caller's span context and baggage; <c>default</c> when the call carries none, or a
    /// malformed or oversized one (a trace is a diagnostic: the call runs either way).
    /// </summary>
    public static (ActivityContext Parent, IEnumerable<KeyValuePair<string, string?>>? Baggage) Read(Call call)
    {
        string traceParent = call.Traceparent;
        if (traceParent.Length == 0 || traceParent.Length > MaxValueLength || call.Tracestate.Length > MaxValueLength)
        {
            return default;
        }

        if (!ActivityContext.TryParse(traceParent, call.Tracestate.Length == 0 ? null : call.Tracestate, isRemote: true, out ActivityContext parent))
        {
            return default;
        }

        return (parent, call.Baggage.Length is 0 or > MaxValueLength ? null : s_w3c.ExtractBaggage(call, s_getBaggage));
    }
}
