using System.Collections.Concurrent;

namespace Wool.Serialization.Graph;

/// <summary>
/// Whether a class compares by value (a record, or any override of <see cref="object.GetHashCode"/>):
/// such an object that refers back to itself cannot be hashed or compared without end, so a cycle
/// closing on one is refused on both sides of the wire. Cached per type; thread-safe.
/// </summary>
internal static class ValueEquality
{
    private static readonly Types.TypeCache<bool> s_types = new();

    public static bool Of(Type type) => s_types.GetOrAdd(type, static t =>
        !t.IsValueType && t.GetMethod(nameof(GetHashCode), Type.EmptyTypes)?.DeclaringType is { } declaring && declaring != typeof(object));
}
