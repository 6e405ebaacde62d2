using System.Net;
using MessagePack;
using MessagePack.Formatters;

namespace Wool.Serialization.Formats;

/// <summary>An <see cref="IPEndPoint"/> as <c>[address, port]</c> (<see cref="IPAddressFormatter"/>). Thread-safe.</summary>
internal sealed class IPEndPointFormatter : IMessagePackFormatter<IPEndPoint?>
{
    public static readonly IPEndPointFormatter Instance = new();

    private IPEndPointFormatter()
    {
    }

    public void Serialize(ref MessagePackWriter writer, IPEndPoint? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        writer.WriteArrayHeader(2);
        IPAddressFormatter.Instance.Serialize(ref writer, value.Address, options);
        writer.Write(value.Port);
    }

    public IPEndPoint? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        if (reader.ReadArrayHeader() != 2)
        {
            throw new WoolSerializationException("an IP end point arrived in an unknown shape; it was not written by this build");
        }

        IPAddress address = IPAddressFormatter.Instance.Deserialize(ref reader, options)
            ?? throw new WoolSerializationException("an IP end point arrived without an address; it was not written by this build");
        int port = reader.ReadInt32();
        return port is >= IPEndPoint.MinPort and <= IPEndPoint.MaxPort
            ? new IPEndPoint(address, port)
            : throw new WoolSerializationException($"an IP end point arrived with port {port}; it was not written by this build");
    }
}
