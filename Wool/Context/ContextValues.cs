using System.Collections.Immutable;

namespace Wool.Context;

/// <summary>A snapshot of the context values set in a flow, serialized, as a call carries them.</summary>
internal sealed class ContextValues(ImmutableDictionary<string, ContextEntry>? source, IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>> values)
{
    public static ContextValues Empty { get; } = new(null, []);

    /// <summary>The map the snapshot was taken from, to tell whether a later snapshot changed anything.</summary>
    public ImmutableDictionary<string, ContextEntry>? Source { get; } = source;

    public IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>> Values { get; } = values;

    /// <summary>Number of serialized bytes the values add to a call (names and values).</summary>
    public int Size => Values.Sum(v => v.Key.Length + v.Value.Length);
}
