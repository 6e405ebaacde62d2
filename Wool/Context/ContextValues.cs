using System.Collections.Immutable;

namespace Wool.Context;

/// <summary>
/// A snapshot of the context values set in a flow, serialized, as a call carries them. Immutable
/// apart from a cache; thread-safe.
/// </summary>
/// <param name="source">The caller's map the snapshot was taken from (to tell whether a later snapshot changed anything); null on a worker.</param>
/// <param name="values">Each value, serialized, by variable name.</param>
internal sealed class ContextValues(ImmutableDictionary<string, ContextEntry>? source, IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>> values)
{
    private ImmutableDictionary<string, ContextEntry>? _received;

    public static ContextValues Empty { get; } = new(null, []);

    /// <summary>The caller's map the snapshot was taken from; null for values that arrived over the wire.</summary>
    public ImmutableDictionary<string, ContextEntry>? Source { get; } = source;

    public IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>> Values { get; } = values;

    /// <summary>
    /// The map a routine starts with: built from the serialized values, so the routine reads
    /// copies (deserialized on first read), never the caller's objects, even in the caller's process.
    /// Null when there are no values.
    /// </summary>
    public ImmutableDictionary<string, ContextEntry>? Received => Values.Count == 0 ? null : _received ??= Build(Values);

    private static ImmutableDictionary<string, ContextEntry> Build(IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>> values)
    {
        var builder = ImmutableDictionary.CreateBuilder<string, ContextEntry>(StringComparer.Ordinal);
        foreach (var (name, bytes) in values)
        {
            builder[name] = ContextEntry.FromBytes(bytes);
        }

        return builder.ToImmutable();
    }
}
