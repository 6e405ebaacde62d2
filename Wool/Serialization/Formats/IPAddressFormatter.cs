using System.Net;
using MessagePack;
using MessagePack.Formatters;

namespace Wool.Serialization.Formats;

/// <summary>
/// An <see cref="IPAddress"/> as its 4 or 16 bytes, or <c>[bytes, scope id]</c> for an IPv6
/// address with a scope (a link-local interface). Thread-safe.
/// </summary>
internal sealed class IPAddressFormatter : IMessagePackFormatter<IPAddress?>
{
    public static readonly IPAddressFormatter Instance = new();

    private IPAddressFormatter()
    {
    }

    public void Serialize(ref MessagePackWriter writer, IPAddress? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        byte[] bytes = value.GetAddressBytes();
        bool scoped = value.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 && value.ScopeId != 0;
        if (scoped)
        {
            writer.WriteArrayHeader(2);
        }

        writer.Write(bytes);
        if (scoped)
        {
            writer.Write(value.ScopeId);
        }
    }

    public IPAddress? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        bool scoped = reader.NextMessagePackType == MessagePackType.Array && reader.ReadArrayHeader() == 2;
        System.Buffers.ReadOnlySequence<byte> sequence = reader.ReadBytes() ?? default;
        if (sequence.Length is not (4 or 16) || (scoped && sequence.Length != 16))
        {
            throw new WoolSerializationException($"an IP address arrived as {sequence.Length} bytes; it was not written by this build");
        }

        byte[] bytes = System.Buffers.BuffersExtensions.ToArray(sequence);
        return scoped ? new IPAddress(bytes, reader.ReadInt64()) : new IPAddress(bytes);
    }
}
