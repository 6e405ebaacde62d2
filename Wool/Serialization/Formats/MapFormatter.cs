using MessagePack;
using MessagePack.Formatters;

namespace Wool.Serialization.Formats;

/// <summary>
/// A dictionary that may carry a key comparer (<see cref="Dictionary{TKey, TValue}"/>, the sorted,
/// concurrent, immutable and frozen ones): written as a map, as MessagePack writes any dictionary,
/// or, when its comparer is not the default, as <c>[comparer, map]</c> (<see cref="Comparers"/>).
/// Rebuilt through its public API from the pairs, never from its internal fields (buckets depend
/// on per-process string hashing). A key that appears twice is refused. Thread-safe.
/// </summary>
/// <param name="comparerOf">The dictionary's key comparer (it may throw to refuse the value, e.g. for a value comparer that cannot travel).</param>
/// <param name="create">Builds the dictionary from its pairs and comparer (null for the default).</param>
internal sealed class MapFormatter<TMap, TKey, TValue, TComparer>(
    Func<TMap, object?> comparerOf,
    Func<KeyValuePair<TKey, TValue>[], TComparer?, MessagePackSerializerOptions, TMap> create)
    : IMessagePackFormatter<TMap?>
    where TMap : class, IEnumerable<KeyValuePair<TKey, TValue>>
    where TComparer : class
{
    public void Serialize(ref MessagePackWriter writer, TMap? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        object? comparer = comparerOf(value);
        if (!Comparers.IsDefault<TKey>(comparer))
        {
            writer.WriteArrayHeader(2);
            Comparers.Write(ref writer, comparer!, options);
        }

        IMessagePackFormatter<TKey> keys = options.Resolver.GetFormatterWithVerify<TKey>();
        IMessagePackFormatter<TValue> values = options.Resolver.GetFormatterWithVerify<TValue>();
        KeyValuePair<TKey, TValue>[] pairs = [.. value];
        writer.WriteMapHeader(pairs.Length);
        foreach (var (key, item) in pairs)
        {
            keys.Serialize(ref writer, key, options);
            values.Serialize(ref writer, item, options);
        }
    }

    public TMap? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        options.Security.DepthStep(ref reader);
        try
        {
            TComparer? comparer = null;
            if (reader.NextMessagePackType == MessagePackType.Array)
            {
                if (reader.ReadArrayHeader() != 2)
                {
                    throw new WoolSerializationException($"a '{Types.TypeNames.Readable(typeof(TMap))}' arrived in an unknown shape; it was not written by this build");
                }

                comparer = Comparers.Read<TComparer>(ref reader, options);
            }

            IMessagePackFormatter<TKey> keys = options.Resolver.GetFormatterWithVerify<TKey>();
            IMessagePackFormatter<TValue> values = options.Resolver.GetFormatterWithVerify<TValue>();
            int count = reader.ReadMapHeader();
            var pairs = new KeyValuePair<TKey, TValue>[count];
            for (int i = 0; i < count; i++)
            {
                TKey key = keys.Deserialize(ref reader, options);
                pairs[i] = new(key, values.Deserialize(ref reader, options));
            }

            return create(pairs, comparer, options);
        }
        catch (ArgumentException e)
        {
            throw new WoolSerializationException($"a '{Types.TypeNames.Readable(typeof(TMap))}' could not be rebuilt from the message (a key twice, or a null key): {e.Message}", e);
        }
        finally
        {
            reader.Depth--;
        }
    }
}
