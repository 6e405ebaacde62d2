using MessagePack;
using MessagePack.Formatters;

namespace Wool.Serialization;

/// <summary>Refuses, in both directions, a type that <see cref="UnsupportedTypes"/> names.</summary>
internal sealed class UnsupportedTypeFormatter<T>(string reason) : IMessagePackFormatter<T>
{
    public void Serialize(ref MessagePackWriter writer, T value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            // A null delegate or stream carries nothing process-bound: send it as null.
            writer.WriteNil();
            return;
        }

        throw new WoolSerializationException($"values of type '{TypeNames.Readable(value.GetType())}' cannot be sent: {reason}");
    }

    public T Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return default!;
        }

        throw new WoolSerializationException($"values of type '{TypeNames.Readable(typeof(T))}' cannot be received: {reason}");
    }
}
