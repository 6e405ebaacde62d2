using System.Collections.Immutable;

namespace Wool.Context;

/// <summary>
/// The context values of the current async flow: an <see cref="AsyncLocal{T}"/> over an
/// immutable map, replaced (never mutated) on every change, so that a change made in a callee
/// flows down to what it calls and never back up to its caller — exactly AsyncLocal's semantics.
/// </summary>
internal static class AmbientContext
{
    private static readonly AsyncLocal<ImmutableDictionary<string, ContextEntry>?> s_current = new();

    public static ImmutableDictionary<string, ContextEntry> Current => s_current.Value ?? ImmutableDictionary<string, ContextEntry>.Empty;

    public static ContextEntry? Find(string name) => s_current.Value is { } map && map.TryGetValue(name, out var entry) ? entry : null;

    public static void Set(string name, ContextEntry? entry)
    {
        var map = Current;
        s_current.Value = entry is null ? map.Remove(name) : map.SetItem(name, entry);
    }

    public static void Replace(ImmutableDictionary<string, ContextEntry>? map) => s_current.Value = map is { Count: 0 } ? null : map;

    /// <summary>The current values, serialized for a call. Throws, naming the var, when one cannot be serialized.</summary>
    public static ContextValues Capture()
    {
        var map = s_current.Value;
        if (map is null || map.Count == 0)
        {
            return ContextValues.Empty;
        }

        var values = new KeyValuePair<string, ReadOnlyMemory<byte>>[map.Count];
        int i = 0;
        foreach (var (name, entry) in map)
        {
            values[i++] = new(name, entry.GetBytes(name));
        }

        return new ContextValues(map, values);
    }

    /// <summary>
    /// Starts a routine's flow (or a stream's next step) with the caller's values, replacing whatever
    /// this flow had: the one place where a caller's context takes effect on the side that runs the routine.
    /// </summary>
    public static void Apply(ContextValues values) => Replace(values.Received);
}
