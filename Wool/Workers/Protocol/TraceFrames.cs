using System.Diagnostics;
using Google.Protobuf.Collections;

namespace Wool.Workers.Protocol;

/// <summary>
/// The caller's trace context in a call (<c>trace_context</c>): W3C <c>traceparent</c>,
/// <c>tracestate</c> and <c>baggage</c>, written from the caller's current activity (Wool's client
/// span, or the application's own activity when nothing listens to Wool) and read by the worker
/// for its server span. Always W3C, whatever <see cref="DistributedContextPropagator.Current"/> is:
/// both ends are Wool.
/// </summary>
internal static class TraceFrames
{
    /// <summary>The longest value read; W3C asks for 512 characters of tracestate and 8192 of baggage.</summary>
    public const int MaxValueLength = 8192;

    private static readonly DistributedContextPropagator s_w3c = DistributedContextPropagator.CreateW3CPropagator();

    private static readonly DistributedContextPropagator.PropagatorGetterCallback s_getter = static (object? carrier, string name, out string? value, out IEnumerable<string>? values) =>
    {
        values = null;
        value = ((MapField<string, string>)carrier!).TryGetValue(name, out string? found) && found.Length <= MaxValueLength ? found : null;
    };

    /// <summary>Writes the current activity's context into <paramref name="call"/>; nothing when the flow has none.</summary>
    public static void Write(Call call)
    {
        if (Activity.Current is { } current)
        {
            s_w3c.Inject(current, call.TraceContext, static (carrier, name, value) =>
            {
                if (value is not null)
                {
                    ((MapField<string, string>)carrier!)[name] = value;
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
        if (call.TraceContext.Count == 0)
        {
            return default;
        }

        s_w3c.ExtractTraceIdAndState(call.TraceContext, s_getter, out string? traceParent, out string? traceState);
        if (!ActivityContext.TryParse(traceParent, traceState, isRemote: true, out ActivityContext parent))
        {
            return default;
        }

        return (parent, s_w3c.ExtractBaggage(call.TraceContext, s_getter));
    }
}
