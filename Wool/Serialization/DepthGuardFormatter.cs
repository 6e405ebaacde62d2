using MessagePack;
using MessagePack.Formatters;

namespace Wool.Serialization;

/// <summary>Wraps the formatter of a reference type so that cycles fail cleanly instead of overflowing the stack.</summary>
internal sealed class DepthGuardFormatter<T>(IMessagePackFormatter<T> inner) : IMessagePackFormatter<T>
{
    public void Serialize(ref MessagePackWriter writer, T value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        SerializationDepth.Enter(value.GetType());
        try
        {
            inner.Serialize(ref writer, value, options);
        }
        finally
        {
            SerializationDepth.Exit();
        }
    }

    // Reading is bounded by MessagePackSecurity's depth limit.
    public T Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
        => inner.Deserialize(ref reader, options);
}
