using System.Collections.Immutable;
using Google.Protobuf;
using Wool.Workers.Protocol;

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

    /// <summary>The map a routine starts with on a worker: the caller's values, still serialized.</summary>
    public static ImmutableDictionary<string, ContextEntry>? FromWire(IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>> values)
    {
        if (values.Count == 0)
        {
            return null;
        }

        var builder = ImmutableDictionary.CreateBuilder<string, ContextEntry>(StringComparer.Ordinal);
        foreach (var (name, bytes) in values)
        {
            builder[name] = ContextEntry.FromBytes(bytes);
        }

        return builder.ToImmutable();
    }

    public static void AddTo(Google.Protobuf.Collections.RepeatedField<ContextValue> field, ContextValues values)
    {
        foreach (var (name, bytes) in values.Values)
        {
            field.Add(new ContextValue { Name = name, Value = UnsafeByteOperations.UnsafeWrap(bytes) });
        }
    }

    public static KeyValuePair<string, ReadOnlyMemory<byte>>[] Read(Google.Protobuf.Collections.RepeatedField<ContextValue> field)
        => field.Count == 0 ? [] : [.. field.Select(v => new KeyValuePair<string, ReadOnlyMemory<byte>>(v.Name, v.Value.Memory))];
}
