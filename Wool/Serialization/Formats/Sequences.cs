using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Wool.Serialization.Formats;

/// <summary>
/// Sequences whose runtime type is an implementation detail: a LINQ iterator
/// (<c>Enumerable.Range</c>, <c>Where</c>, <c>Select</c>), a collection expression's compiler type
/// (<c>[1, 2, 3]</c> as <c>IReadOnlyList&lt;int&gt;</c>), an iterator method's state machine, or
/// a framework collection that is not public. Such a value is enumerated once, on the sender, and
/// travels as a <see cref="List{T}"/> (a <see cref="Dictionary{TKey, TValue}"/> for a dictionary)
/// of the same elements, which every interface the sender could have declared it as accepts. So does
/// a public framework collection that neither Wool nor MessagePack has a format for (a
/// dictionary's <c>Keys</c>), wherever its declared type is an interface or <c>object</c>.
/// </summary>
internal static class Sequences
{
    private static readonly Types.TypeCache<Func<object, object>?> s_materializers = new();
    private static readonly Types.TypeCache<Type?> s_publicTypes = new();

    /// <summary>The list (or dictionary) <paramref name="value"/> travels as, or null when it travels as itself.</summary>
    public static object? Materialized(object value)
        => s_materializers.GetOrAdd(value.GetType(), MaterializerFor) is { } materialize ? materialize(value) : null;

    /// <summary>
    /// The type a value of <paramref name="type"/> is named as when MessagePack alone would name it
    /// wrongly, or null: an anonymous type as itself (MessagePack drops its name); a non-public
    /// framework type as the nearest public base that Wool has a format for. A frozen collection is an internal
    /// subclass of <see cref="System.Collections.Frozen.FrozenDictionary{TKey, TValue}"/> or <see cref="System.Collections.Frozen.FrozenSet{T}"/> chosen
    /// for its contents; <c>IPAddress.Loopback</c> is a read-only subclass of <see cref="System.Net.IPAddress"/>.
    /// </summary>
    public static Type? TravelsAs(Type type) => s_publicTypes.GetOrAdd(type, static t =>
    {
        if (IsAnonymous(t))
        {
            // MessagePack writes an anonymous object without its type name (it would arrive as a dictionary).
            return t;
        }

        if (t.IsVisible || !Types.FrameworkTypes.Contains(t))
        {
            return null;
        }

        Type? level = t.BaseType;
        while (level is not null && !level.IsVisible)
        {
            level = level.BaseType;
        }

        return level is not null && WoolFormats.Handles(level) ? level : null;
    });

    private static Func<object, object>? MaterializerFor(Type type)
    {
        bool hidden = !type.IsVisible && (type.IsDefined(typeof(CompilerGeneratedAttribute)) || IsFrameworkType(type) || IsCompilerType(type));
        bool unformatted = type.IsVisible && IsFrameworkType(type) && !WoolFormats.IsFormatted(type);
        if (TravelsAs(type) is not null || type.IsArray || !(hidden || unformatted) || IsLookup(type))
        {
            return null;
        }

        if ((SingleGeneric(type, typeof(IReadOnlyDictionary<,>)) ?? SingleGeneric(type, typeof(IDictionary<,>))) is { } dictionary)
        {
            var method = typeof(Sequences).GetMethod(nameof(ToDictionary), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(dictionary.GetGenericArguments());
            return method.CreateDelegate<Func<object, object>>();
        }

        if (SingleGeneric(type, typeof(IEnumerable<>)) is { } sequence)
        {
            var method = typeof(Sequences).GetMethod(nameof(ToList), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(sequence.GetGenericArguments());
            return method.CreateDelegate<Func<object, object>>();
        }

        return null;
    }

    private static object ToList<T>(object value) => new List<T>((IEnumerable<T>)value);

    private static object ToDictionary<TKey, TValue>(object value)
        where TKey : notnull
        => new Dictionary<TKey, TValue>((IEnumerable<KeyValuePair<TKey, TValue>>)value);

    private static Type? SingleGeneric(Type type, Type definition)
    {
        Type? found = null;
        foreach (Type candidate in type.GetInterfaces())
        {
            if (candidate.IsGenericType && candidate.GetGenericTypeDefinition() == definition)
            {
                if (found is not null)
                {
                    return null;
                }

                found = candidate;
            }
        }

        return found;
    }

    // A lookup's groups are sequences too; flattening them would lose the keys, so lookups are refused as framework types.
    private static bool IsLookup(Type type)
        => type.GetInterfaces().Any(static i => i.IsGenericType && (i.GetGenericTypeDefinition() == typeof(ILookup<,>) || i.GetGenericTypeDefinition() == typeof(IGrouping<,>)));

    private static bool IsAnonymous(Type type)
        => type.Name.Contains("AnonymousType", StringComparison.Ordinal) && type.IsDefined(typeof(CompilerGeneratedAttribute), false);

    // Collection expressions' types (<>z__ReadOnlyArray<T>) are emitted into the calling assembly without attributes.
    private static bool IsCompilerType(Type type) => type.Name.StartsWith("<>", StringComparison.Ordinal);

    private static bool IsFrameworkType(Type type) => Types.FrameworkTypes.Contains(type);

}
