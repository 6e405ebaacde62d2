using MessagePack;
using MessagePack.Formatters;

namespace Wool.Serialization.Formats;

/// <summary>
/// A collection of elements that may carry a comparer (a hash set, a sorted set, their immutable
/// and frozen kinds, or a list-like collection with none): written as the array of its elements,
/// as MessagePack writes any collection, or, when its comparer is not the default, as
/// <c>{comparer: [elements]}</c> (<see cref="Comparers"/>). Rebuilt through its public API from
/// the elements, never from its internal fields (a hash set's buckets depend on per-process string
/// hashing). Thread-safe.
/// </summary>
/// <param name="comparerOf">The collection's comparer, or null when it has none.</param>
/// <param name="create">Builds the collection from its elements and comparer (null for the default).</param>
internal sealed class SetFormatter<TSet, T, TComparer>(Func<TSet, object?> comparerOf, Func<T[], TComparer?, MessagePackSerializerOptions, TSet> create)
    : IMessagePackFormatter<TSet?>
    where TSet : class, IEnumerable<T>
    where TComparer : class
{
    public void Serialize(ref MessagePackWriter writer, TSet? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        object? comparer = comparerOf(value);
        if (!Comparers.IsDefault<T>(comparer))
        {
            writer.WriteMapHeader(1);
            Comparers.Write(ref writer, comparer!, options);
        }

        WriteElements(ref writer, value, options);
    }

    public TSet? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        options.Security.DepthStep(ref reader);
        try
        {
            TComparer? comparer = null;
            if (reader.NextMessagePackType == MessagePackType.Map)
            {
                if (reader.ReadMapHeader() != 1)
                {
                    throw new WoolSerializationException($"a '{Types.TypeNames.Readable(typeof(TSet))}' arrived with more than one comparer; it was not written by this build");
                }

                comparer = Comparers.Read<TComparer>(ref reader, options);
            }

            return create(ReadElements(ref reader, options), comparer, options);
        }
        catch (ArgumentException e)
        {
            throw new WoolSerializationException($"a '{Types.TypeNames.Readable(typeof(TSet))}' could not be rebuilt from the message: {e.Message}", e);
        }
        finally
        {
            reader.Depth--;
        }
    }

    internal static void WriteElements(ref MessagePackWriter writer, IEnumerable<T> elements, MessagePackSerializerOptions options)
    {
        IMessagePackFormatter<T> formatter = options.Resolver.GetFormatterWithVerify<T>();
        if (!elements.TryGetNonEnumeratedCount(out int count))
        {
            T[] items = [.. elements];
            elements = items;
            count = items.Length;
        }

        writer.WriteArrayHeader(count);
        foreach (T item in elements)
        {
            formatter.Serialize(ref writer, item, options);
        }
    }

    internal static T[] ReadElements(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        IMessagePackFormatter<T> formatter = options.Resolver.GetFormatterWithVerify<T>();
        int count = reader.ReadArrayHeader();
        var items = new T[count];
        for (int i = 0; i < count; i++)
        {
            items[i] = formatter.Deserialize(ref reader, options);
        }

        return items;
    }
}
