using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Numerics;

namespace Wool.Serialization;

/// <summary>
/// The types a worker started with <c>--allow-type</c> may rebuild from a payload. Every type name
/// a payload carries (a typeless value, a derived object in a base-typed slot) is checked, and so
/// is each of its generic arguments and array element types. Always allowed: primitives, strings,
/// enums, common value types, the basic generic collections and tuples, and Wool's own types.
/// Thread-safe; decisions are cached.
/// </summary>
internal sealed class TypeAllowList
{
    private static readonly FrozenSet<Type> AlwaysAllowed = new[]
    {
        typeof(object), typeof(string), typeof(decimal), typeof(DateTime), typeof(DateTimeOffset), typeof(TimeSpan),
        typeof(DateOnly), typeof(TimeOnly), typeof(Guid), typeof(Half), typeof(Int128), typeof(UInt128), typeof(BigInteger),
        typeof(Uri), typeof(Version), typeof(Nullable<>), typeof(List<>), typeof(Dictionary<,>), typeof(HashSet<>),
        typeof(KeyValuePair<,>), typeof(Tuple<>), typeof(Tuple<,>), typeof(Tuple<,,>), typeof(Tuple<,,,>),
        typeof(ValueTuple<>), typeof(ValueTuple<,>), typeof(ValueTuple<,,>), typeof(ValueTuple<,,,>), typeof(ValueTuple<,,,,>),
    }.ToFrozenSet();

    private readonly FrozenSet<string> _assemblies;
    private readonly string[] _namespaces;
    private readonly FrozenSet<string> _types;
    private readonly ConcurrentDictionary<Type, bool> _decisions = new();

    private TypeAllowList(IEnumerable<string> assemblies, IEnumerable<string> namespaces, IEnumerable<string> types)
    {
        _assemblies = assemblies.ToFrozenSet(StringComparer.Ordinal);
        _namespaces = [.. namespaces];
        _types = types.ToFrozenSet(StringComparer.Ordinal);
    }

    /// <summary>
    /// Reads allow-list entries: <c>assembly:MyApp.Contracts</c> (every type of an assembly, its
    /// closures included), <c>MyApp.Contracts.*</c> (a namespace and those under it) or
    /// <c>MyApp.Contracts.Order</c> (one type, by full name).
    /// </summary>
    /// <exception cref="ArgumentException">An entry is empty, or allows everything.</exception>
    public static TypeAllowList Parse(IEnumerable<string> entries)
    {
        List<string> assemblies = [], namespaces = [], types = [];
        foreach (string entry in entries)
        {
            string value = entry.Trim();
            if (value is "" or "*" or ".*" or "assembly:")
            {
                throw new ArgumentException($"The type allow-list entry '{entry}' allows nothing or everything. Give 'assembly:<name>', '<namespace>.*' or a full type name; to allow every type, leave the option out.");
            }

            if (value.StartsWith("assembly:", StringComparison.Ordinal))
            {
                assemblies.Add(value["assembly:".Length..]);
            }
            else if (value.EndsWith(".*", StringComparison.Ordinal))
            {
                namespaces.Add(value[..^1]);
            }
            else
            {
                types.Add(value);
            }
        }

        return new TypeAllowList(assemblies, namespaces, types);
    }

    /// <summary>Whether <paramref name="type"/> itself (not its generic arguments, checked separately) may be rebuilt.</summary>
    public bool Allows(Type type) => _decisions.GetOrAdd(type, Decide);

    private bool Decide(Type type)
    {
        Type definition = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        if (type.IsPrimitive || type.IsEnum || AlwaysAllowed.Contains(definition) || type.Assembly == typeof(TypeAllowList).Assembly)
        {
            return true;
        }

        string name = definition.FullName ?? definition.Name;
        return _assemblies.Contains(type.Assembly.GetName().Name ?? "")
               || _types.Contains(name)
               || _namespaces.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal));
    }
}
