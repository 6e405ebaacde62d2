using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Collections.Immutable;
using System.Net;
using System.Reflection;
using MessagePack;
using MessagePack.Formatters;
using Wool.Serialization.Types;

namespace Wool.Serialization.Formats;

/// <summary>
/// Wool's formats for framework types that MessagePack does not carry, or carries with a loss,
/// asked before MessagePack's own formatters:
/// <list type="bullet">
/// <item>hash-based and sorted collections keep their comparer (<see cref="SetFormatter{TSet, T, TComparer}"/>,
/// <see cref="MapFormatter{TMap, TKey, TValue, TComparer}"/>), in MessagePack's format and size when it is the default;</item>
/// <item>immutable and frozen collections travel as what they are;</item>
/// <item><see cref="IPAddress"/>, <see cref="IPEndPoint"/>, <see cref="nint"/>, <see cref="nuint"/>, <see cref="Int128"/> and <see cref="UInt128"/>.</item>
/// </list>
/// Returns null for any other type. Formatters are built once per type.
/// </summary>
internal static class WoolFormats
{
    private static readonly Dictionary<Type, object> Plain = new()
    {
        [typeof(nint)] = NativeIntegerFormatter.Instance,
        [typeof(nuint)] = NativeIntegerFormatter.Instance,
        [typeof(Int128)] = WideIntegerFormatter.Instance,
        [typeof(UInt128)] = WideIntegerFormatter.Instance,
        [typeof(IPAddress)] = IPAddressFormatter.Instance,
        [typeof(IPEndPoint)] = IPEndPointFormatter.Instance,
    };

    private static readonly Dictionary<Type, string> Generic = new()
    {
        [typeof(HashSet<>)] = nameof(HashSetFormat),
        [typeof(SortedSet<>)] = nameof(SortedSetFormat),
        [typeof(Dictionary<,>)] = nameof(DictionaryFormat),
        [typeof(SortedDictionary<,>)] = nameof(SortedDictionaryFormat),
        [typeof(SortedList<,>)] = nameof(SortedListFormat),
        [typeof(ConcurrentDictionary<,>)] = nameof(ConcurrentDictionaryFormat),
        [typeof(ImmutableArray<>)] = nameof(ImmutableArrayFormat),
        [typeof(ImmutableList<>)] = nameof(ImmutableListFormat),
        [typeof(ImmutableQueue<>)] = nameof(ImmutableQueueFormat),
        [typeof(ImmutableStack<>)] = nameof(ImmutableStackFormat),
        [typeof(ImmutableHashSet<>)] = nameof(ImmutableHashSetFormat),
        [typeof(ImmutableSortedSet<>)] = nameof(ImmutableSortedSetFormat),
        [typeof(ImmutableDictionary<,>)] = nameof(ImmutableDictionaryFormat),
        [typeof(ImmutableSortedDictionary<,>)] = nameof(ImmutableSortedDictionaryFormat),
        [typeof(FrozenSet<>)] = nameof(FrozenSetFormat),
        [typeof(FrozenDictionary<,>)] = nameof(FrozenDictionaryFormat),
    };

    /// <summary>Whether Wool has a format of its own for <paramref name="type"/>.</summary>
    public static bool Handles(Type type) => Plain.ContainsKey(type) || (type.IsGenericType && Generic.ContainsKey(type.GetGenericTypeDefinition()));

    /// <summary>
    /// Whether a framework type has a format at all: Wool's, or one of MessagePack's built-in and
    /// generic formatters. One without (a dictionary's <c>Keys</c>, <c>CultureInfo</c>) is never
    /// copied field by field: a sequence travels as a list, anything else is refused.
    /// </summary>
    public static bool IsFormatted(Type type)
        => Handles(type) || s_formatted.GetOrAdd(type, static t =>
            MessagePack.Resolvers.BuiltinResolver.Instance.GetFormatterDynamic(t) is not null
            || MessagePack.Resolvers.DynamicGenericResolver.Instance.GetFormatterDynamic(t) is not null);

    private static readonly Types.TypeCache<bool> s_formatted = new();

    public static IMessagePackFormatter<T>? GetFormatter<T>()
    {
        Type type = typeof(T);
        if (Plain.TryGetValue(type, out object? plain))
        {
            return (IMessagePackFormatter<T>)plain;
        }

        if (type.IsGenericType && Generic.TryGetValue(type.GetGenericTypeDefinition(), out string? factory))
        {
            MethodInfo method = typeof(WoolFormats).GetMethod(factory, BindingFlags.NonPublic | BindingFlags.Static)!;
            return (IMessagePackFormatter<T>)method.MakeGenericMethod(type.GetGenericArguments()).Invoke(null, null)!;
        }

        return null;
    }

    // The default comparer of a hash-based collection read from a message resists hash flooding
    // (MessagePackSecurity) for the key types MessagePack hardens (integers, strings, Guid, …);
    // the application's own key types keep their own equality, as they would locally.
    private static IEqualityComparer<T> Hashing<T>(IEqualityComparer<T>? comparer, MessagePackSerializerOptions options)
    {
        if (comparer is not null || s_unhardened.ContainsKey(typeof(T)))
        {
            return comparer ?? EqualityComparer<T>.Default;
        }

        try
        {
            return options.Security.GetEqualityComparer<T>();
        }
        catch (TypeAccessException)
        {
            s_unhardened.TryAdd(typeof(T), true);
            return EqualityComparer<T>.Default;
        }
    }

    private static readonly Types.TypeCache<bool> s_unhardened = new();

    private static object HashSetFormat<T>() => new SetFormatter<HashSet<T>, T, IEqualityComparer<T>>(
        s => s.Comparer, (items, c, o) => new HashSet<T>(items, Hashing(c, o)));

    private static object SortedSetFormat<T>() => new SetFormatter<SortedSet<T>, T, IComparer<T>>(
        s => s.Comparer, (items, c, _) => new SortedSet<T>(items, c));

    private static object ImmutableListFormat<T>() => new SetFormatter<ImmutableList<T>, T, object>(
        _ => null, (items, _, _) => ImmutableList.Create(items));

    private static object ImmutableQueueFormat<T>() => new SetFormatter<ImmutableQueue<T>, T, object>(
        _ => null, (items, _, _) => ImmutableQueue.Create(items));

    // A stack enumerates from its top; pushing the elements in reverse restores it.
    private static object ImmutableStackFormat<T>() => new SetFormatter<ImmutableStack<T>, T, object>(
        _ => null, (items, _, _) => ImmutableStack.CreateRange(items.Reverse()));

    private static object ImmutableArrayFormat<T>() => new ImmutableArrayFormatter<T>();

    private static object ImmutableHashSetFormat<T>() => new SetFormatter<ImmutableHashSet<T>, T, IEqualityComparer<T>>(
        s => s.KeyComparer, (items, c, o) => ImmutableHashSet.CreateRange(Hashing(c, o), items));

    private static object ImmutableSortedSetFormat<T>() => new SetFormatter<ImmutableSortedSet<T>, T, IComparer<T>>(
        s => s.KeyComparer, (items, c, _) => ImmutableSortedSet.CreateRange(c, items));

    private static object FrozenSetFormat<T>() => new SetFormatter<FrozenSet<T>, T, IEqualityComparer<T>>(
        s => s.Comparer, (items, c, _) => items.ToFrozenSet(c));

    private static object DictionaryFormat<TKey, TValue>()
        where TKey : notnull
        => new MapFormatter<Dictionary<TKey, TValue>, TKey, TValue, IEqualityComparer<TKey>>(
            d => d.Comparer, (pairs, c, o) => Fill(new Dictionary<TKey, TValue>(pairs.Length, Hashing(c, o)), pairs));

    private static object SortedDictionaryFormat<TKey, TValue>()
        where TKey : notnull
        => new MapFormatter<SortedDictionary<TKey, TValue>, TKey, TValue, IComparer<TKey>>(
            d => d.Comparer, (pairs, c, _) => Fill(new SortedDictionary<TKey, TValue>(c), pairs));

    private static object SortedListFormat<TKey, TValue>()
        where TKey : notnull
        => new MapFormatter<SortedList<TKey, TValue>, TKey, TValue, IComparer<TKey>>(
            d => d.Comparer, (pairs, c, _) => Fill(new SortedList<TKey, TValue>(pairs.Length, c), pairs));

    private static object ConcurrentDictionaryFormat<TKey, TValue>()
        where TKey : notnull
        => new MapFormatter<ConcurrentDictionary<TKey, TValue>, TKey, TValue, IEqualityComparer<TKey>>(
            d => d.Comparer, (pairs, c, o) => new ConcurrentDictionary<TKey, TValue>(Fill(new Dictionary<TKey, TValue>(pairs.Length, Hashing(c, o)), pairs), Hashing(c, o)));

    private static object ImmutableDictionaryFormat<TKey, TValue>()
        where TKey : notnull
        => new MapFormatter<ImmutableDictionary<TKey, TValue>, TKey, TValue, IEqualityComparer<TKey>>(
            d => WithoutValueComparer(d, d.KeyComparer, d.ValueComparer), (pairs, c, o) => ImmutableDictionary.CreateRange(Hashing(c, o), Unique(pairs, Hashing(c, o))));

    private static object ImmutableSortedDictionaryFormat<TKey, TValue>()
        where TKey : notnull
        => new MapFormatter<ImmutableSortedDictionary<TKey, TValue>, TKey, TValue, IComparer<TKey>>(
            d => WithoutValueComparer(d, d.KeyComparer, d.ValueComparer), (pairs, c, _) => Fill(new SortedDictionary<TKey, TValue>(c), pairs).ToImmutableSortedDictionary(c));

    private static object FrozenDictionaryFormat<TKey, TValue>()
        where TKey : notnull
        => new MapFormatter<FrozenDictionary<TKey, TValue>, TKey, TValue, IEqualityComparer<TKey>>(
            d => d.Comparer, (pairs, c, o) => Unique(pairs, Hashing(c, o)).ToFrozenDictionary(c));

    private static TMap Fill<TMap, TKey, TValue>(TMap map, KeyValuePair<TKey, TValue>[] pairs)
        where TMap : IDictionary<TKey, TValue>
    {
        foreach (var (key, value) in pairs)
        {
            map.Add(key, value); // A key twice throws ArgumentException, which the formatter reports.
        }

        return map;
    }

    private static Dictionary<TKey, TValue> Unique<TKey, TValue>(KeyValuePair<TKey, TValue>[] pairs, IEqualityComparer<TKey> comparer)
        where TKey : notnull
        => Fill(new Dictionary<TKey, TValue>(pairs.Length, comparer), pairs);

    private static object WithoutValueComparer<TValue>(object dictionary, object keyComparer, IEqualityComparer<TValue> valueComparer)
        => Comparers.IsDefault<TValue>(valueComparer) ? keyComparer : throw new ValueRefusedException(dictionary.GetType(),
            "compares its values with a comparer of its own, which does not travel",
            "Send it without the value comparer (the key comparer travels) and set it again in the routine");
}
