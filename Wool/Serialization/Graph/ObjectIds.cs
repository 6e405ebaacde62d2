using System.Buffers;
using System.Buffers.Binary;
using MessagePack;

namespace Wool.Serialization.Graph;

/// <summary>An object's number in a message, as the payload of extensions 110–112: 1, 2 or 4 bytes, big-endian.</summary>
internal static class ObjectIds
{
    public static void Write(ref MessagePackWriter writer, sbyte code, int id)
    {
        int length = id <= byte.MaxValue ? 1 : id <= ushort.MaxValue ? 2 : 4;
        writer.WriteExtensionFormatHeader(new ExtensionHeader(code, length));
        Span<byte> bytes = writer.GetSpan(length);
        switch (length)
        {
            case 1: bytes[0] = (byte)id; break;
            case 2: BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)id); break;
            default: BinaryPrimitives.WriteInt32BigEndian(bytes, id); break;
        }

        writer.Advance(length);
    }

    public static int Read(ref MessagePackReader reader, ExtensionHeader header)
    {
        if (header.Length is not (1 or 2 or 4))
        {
            throw ObjectGraph.Malformed($"has an object reference of {header.Length} bytes");
        }

        Span<byte> bytes = stackalloc byte[4];
        reader.ReadRaw(header.Length).CopyTo(bytes);
        int id = header.Length switch
        {
            1 => bytes[0],
            2 => BinaryPrimitives.ReadUInt16BigEndian(bytes),
            _ => BinaryPrimitives.ReadInt32BigEndian(bytes),
        };
        return id >= 0 ? id : throw ObjectGraph.Malformed("has a negative object reference");
    }
}
