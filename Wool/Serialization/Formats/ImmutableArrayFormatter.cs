using System.Collections.Immutable;
using System.Runtime.InteropServices;
using MessagePack;
using MessagePack.Formatters;

namespace Wool.Serialization.Formats;

/// <summary>An <see cref="ImmutableArray{T}"/> as the array of its elements; a default (uninitialized) one as nil. Thread-safe.</summary>
internal sealed class ImmutableArrayFormatter<T> : IMessagePackFormatter<ImmutableArray<T>>
{
    public void Serialize(ref MessagePackWriter writer, ImmutableArray<T> value, MessagePackSerializerOptions options)
    {
        if (value.IsDefault)
        {
            writer.WriteNil();
            return;
        }

        SetFormatter<T[], T, object>.WriteElements(ref writer, value, options);
    }

    public ImmutableArray<T> Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return default;
        }

        options.Security.DepthStep(ref reader);
        try
        {
            return ImmutableCollectionsMarshal.AsImmutableArray(SetFormatter<T[], T, object>.ReadElements(ref reader, options));
        }
        finally
        {
            reader.Depth--;
        }
    }
}
