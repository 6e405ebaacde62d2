using MessagePack;
using MessagePack.Formatters;

namespace Wool.Serialization.Formats;

/// <summary>
/// <see cref="Int128"/> and <see cref="UInt128"/> (which MessagePack lacks) as <c>[upper, lower]</c>,
/// two 64-bit halves. Thread-safe.
/// </summary>
internal sealed class WideIntegerFormatter : IMessagePackFormatter<Int128>, IMessagePackFormatter<UInt128>
{
    public static readonly WideIntegerFormatter Instance = new();

    private WideIntegerFormatter()
    {
    }

    public void Serialize(ref MessagePackWriter writer, Int128 value, MessagePackSerializerOptions options) => Write(ref writer, (UInt128)value);

    public void Serialize(ref MessagePackWriter writer, UInt128 value, MessagePackSerializerOptions options) => Write(ref writer, value);

    Int128 IMessagePackFormatter<Int128>.Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) => (Int128)Read(ref reader);

    UInt128 IMessagePackFormatter<UInt128>.Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) => Read(ref reader);

    private static void Write(ref MessagePackWriter writer, UInt128 value)
    {
        writer.WriteArrayHeader(2);
        writer.Write((ulong)(value >> 64));
        writer.Write((ulong)value);
    }

    private static UInt128 Read(ref MessagePackReader reader)
        => reader.ReadArrayHeader() == 2
            ? new UInt128(reader.ReadUInt64(), reader.ReadUInt64())
            : throw new WoolSerializationException("a 128-bit integer arrived in an unknown shape; it was not written by this build");
}
