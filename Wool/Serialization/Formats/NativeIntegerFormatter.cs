using MessagePack;
using MessagePack.Formatters;

namespace Wool.Serialization.Formats;

/// <summary>
/// <see cref="nint"/> and <see cref="nuint"/> as 64-bit integers: a native-sized number (an
/// index, a size) is data like any other. A handle held in one is still meaningless elsewhere,
/// which is why handles are refused by their types (<c>SafeHandle</c>), not by this one. Reading
/// a value too large for this process's pointer size fails instead of wrapping. Thread-safe.
/// </summary>
internal sealed class NativeIntegerFormatter : IMessagePackFormatter<nint>, IMessagePackFormatter<nuint>
{
    public static readonly NativeIntegerFormatter Instance = new();

    private NativeIntegerFormatter()
    {
    }

    public void Serialize(ref MessagePackWriter writer, nint value, MessagePackSerializerOptions options) => writer.Write((long)value);

    public void Serialize(ref MessagePackWriter writer, nuint value, MessagePackSerializerOptions options) => writer.Write((ulong)value);

    nint IMessagePackFormatter<nint>.Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) => checked((nint)reader.ReadInt64());

    nuint IMessagePackFormatter<nuint>.Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) => checked((nuint)reader.ReadUInt64());
}
