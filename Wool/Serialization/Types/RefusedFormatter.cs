using MessagePack;
using MessagePack.Formatters;

namespace Wool.Serialization.Types;

/// <summary>
/// Refuses, in both directions, a type whose values cannot travel or would not arrive as they were
/// sent (decided once per type, when its formatter is built); null travels as null. Thread-safe.
/// </summary>
/// <param name="refusal">Why a value of the given runtime type is refused (the type named in the message).</param>
internal sealed class RefusedFormatter<T>(Func<Type, ValueRefusedException> refusal) : IMessagePackFormatter<T>
{
    public void Serialize(ref MessagePackWriter writer, T value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            // A null delegate or stream carries nothing process-bound.
            writer.WriteNil();
            return;
        }

        throw refusal(value.GetType());
    }

    public T Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return default!;
        }

        throw new WoolSerializationException($"values of type '{TypeNames.Readable(typeof(T))}' cannot be received: it {refusal(typeof(T)).Problem}");
    }
}
