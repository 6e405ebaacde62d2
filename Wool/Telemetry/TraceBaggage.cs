using System.Diagnostics;

namespace Wool.Telemetry;

/// <summary>
/// The caller's W3C baggage, as a worker takes it: parsed only for a span that is made, and at most
/// <see cref="MaxMembers"/> members (W3C's own limit is 180 per 8 KiB), so a caller cannot have a
/// worker hold thousands of entries per call for the call's life.
/// </summary>
internal static class TraceBaggage
{
    public const int MaxMembers = 64;

    private static readonly DistributedContextPropagator s_w3c = DistributedContextPropagator.CreateW3CPropagator();

    private static readonly DistributedContextPropagator.PropagatorGetterCallback s_getter = static (object? carrier, string name, out string? value, out IEnumerable<string>? values) =>
    {
        values = null;
        value = name == "baggage" ? (string?)carrier : null;
    };

    /// <summary>The members of <paramref name="baggage"/> (the W3C header's value), the first <see cref="MaxMembers"/> of them.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> Parse(string? baggage)
    {
        if (string.IsNullOrEmpty(baggage))
        {
            return [];
        }

        // Cut before parsing: the members past the limit are never materialized.
        int cut = -1;
        for (int members = 0; members < MaxMembers; members++)
        {
            cut = baggage.IndexOf(',', cut + 1);
            if (cut < 0)
            {
                break;
            }
        }

        string kept = cut < 0 ? baggage : baggage[..cut];
        return s_w3c.ExtractBaggage(kept, s_getter) ?? [];
    }
}
