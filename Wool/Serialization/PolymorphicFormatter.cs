using MessagePack;
using MessagePack.Formatters;

namespace Wool.Serialization;

/// <summary>
/// For a non-sealed class: a value of exactly that class is written as usual; a value of a
/// derived class is written typeless (with its type name), so it comes back as the derived type
/// instead of being silently cut down to the declared base class.
/// </summary>
internal sealed class PolymorphicFormatter<T>(IMessagePackFormatter<T>? inner) : IMessagePackFormatter<T>
    where T : class
{
    private const sbyte TypelessExtension = 100;

    public void Serialize(ref MessagePackWriter writer, T value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
        }
        else if (inner is not null && value.GetType() == typeof(T))
        {
            inner.Serialize(ref writer, value, options);
        }
        else
        {
            TypelessFormatter.Instance.Serialize(ref writer, value, options);
        }
    }

    public T Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.NextMessagePackType == MessagePackType.Extension)
        {
            MessagePackReader peek = reader.CreatePeekReader();
            if (peek.ReadExtensionFormatHeader().TypeCode == TypelessExtension)
            {
                object? value = TypelessFormatter.Instance.Deserialize(ref reader, options);
                return value as T ?? throw new WoolSerializationException(
                    $"received a '{TypeNames.Readable(value?.GetType() ?? typeof(object))}' where a '{TypeNames.Readable(typeof(T))}' was expected; caller and worker must run the same build");
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
