using MessagePack;
using MessagePack.Formatters;
using Wool.Serialization.Formats;
using Wool.Serialization.Types;

namespace Wool.Serialization.Graph;

/// <summary>
/// For a non-sealed class, an interface or an abstract class: a value of exactly the declared
/// class is written by <paramref name="inner"/>; a value of another runtime type is written
/// typeless (with its type name, <see cref="ObjectSlotFormatter"/>), so it comes back as what it
/// was instead of being silently cut down to the declared type.
/// </summary>
internal sealed class PolymorphicFormatter<T>(IMessagePackFormatter<T>? inner) : IMessagePackFormatter<T>
    where T : class
{
    public void Serialize(ref MessagePackWriter writer, T value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
        }
        else if (inner is not null && (value.GetType() == typeof(T) || Sequences.TravelsAs(value.GetType()) == typeof(T)))
        {
            inner.Serialize(ref writer, value, options);
        }
        else
        {
            ObjectSlotFormatter.WriteTypeless(ref writer, value, options);
        }
    }

    public T Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.NextMessagePackType == MessagePackType.Extension)
        {
            MessagePackReader peek = reader.CreatePeekReader();
            sbyte code = peek.ReadExtensionFormatHeader().TypeCode;
            if (code == ObjectSlotFormatter.TypelessCode || (code == ObjectGraph.ReferenceCode && inner is null))
            {
                object? value = ObjectSlotFormatter.Instance.Deserialize(ref reader, options);
                return value is null ? null! : value as T ?? throw new WoolSerializationException(
                    $"received a '{TypeNames.Readable(value.GetType())}' where a '{TypeNames.Readable(typeof(T))}' was expected; caller and worker must run the same build");
            }
        }

        if (inner is null)
        {
            if (reader.TryReadNil())
            {
                return null!;
            }

            throw new WoolSerializationException($"received a value of abstract type '{TypeNames.Readable(typeof(T))}' without its concrete type name");
        }

        return inner.Deserialize(ref reader, options);
    }
}
