using System.Buffers;
using System.Collections.Concurrent;
using System.Reflection;
using System.Text;
using MessagePack;
using MessagePack.Formatters;
using Wool.Serialization.Formats;
using Wool.Serialization.Types;

namespace Wool.Serialization.Graph;

/// <summary>
/// The formatter of every <c>object</c>-typed slot (a call's arguments and target, results, stream
/// items, <c>object</c> fields and elements): the value's runtime type travels with it
/// (MessagePack typeless), an object met earlier in the message travels as a reference, and a
/// lazy or compiler-made sequence travels as the list of its elements (<see cref="Sequences"/>).
/// </summary>
internal sealed class ObjectSlotFormatter : IMessagePackFormatter<object?>
{
    public static readonly ObjectSlotFormatter Instance = new();

    private ObjectSlotFormatter()
    {
    }

    public void Serialize(ref MessagePackWriter writer, object? value, MessagePackSerializerOptions options)
        => WriteTypeless(ref writer, value, options);

    /// <summary>Extension code of MessagePack's typeless values (a type name, then the value).</summary>
    public const sbyte TypelessCode = 100;

    /// <summary>Extension code of a plain <see cref="object"/> (no state, only identity).</summary>
    public const sbyte PlainObjectCode = 113;

    public object? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        // Typeless values nest through TypelessValues and back without a depth
        // count of their own: a hostile message of typed values inside typed values must fail
        // here, typed, before the stack runs out.
        if (!System.Runtime.CompilerServices.RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw new WoolSerializationException("a value is nested too deeply to rebuild on this thread (WorkerLimits.MaxValueDepth bounds what Wool writes)");
        }

        ObjectGraph graph = ObjectGraph.Current;
        if (graph.TryReadReference(ref reader, deferrable: null, options, out object? referenced))
        {
            return referenced;
        }

        if (reader.NextMessagePackType == MessagePackType.Extension && reader.CreatePeekReader().ReadExtensionFormatHeader() is { TypeCode: PlainObjectCode, Length: 0 })
        {
            reader.ReadExtensionFormatHeader();
            object plain = new();
            graph.Fill(graph.Reserve(adoptable: false), plain);
            return plain;
        }

        return TypelessValues.Read(ref reader, options);
    }

    /// <summary>Writes <paramref name="value"/> with its runtime type (or as a reference, or as a list).</summary>
    public static void WriteTypeless(ref MessagePackWriter writer, object? value, MessagePackSerializerOptions options)
    {
        switch (value)
        {
            // Integers without a type name keep their width, so that they come back as what they were.
            case int v: writer.WriteInt32(v); return;
            case long v: writer.WriteInt64(v); return;
            case short v: writer.WriteInt16(v); return;
            case byte v: writer.WriteUInt8(v); return;
            case sbyte v: writer.WriteInt8(v); return;
            case uint v: writer.WriteUInt32(v); return;
            case ulong v: writer.WriteUInt64(v); return;
            case ushort v: writer.WriteUInt16(v); return;
        }

        if (value is null || value is string || value.GetType().IsValueType)
        {
            TypelessValues.Write(ref writer, value, options);
            return;
        }

        if (value.GetType() == typeof(object))
        {
            // A plain object (a lock, a sentinel) has no state; it travels as an identity.
            if (!ObjectGraph.Current.TryWriteReference(ref writer, value))
            {
                ObjectGraph.Current.Add(value, adoptable: true);
                writer.WriteExtensionFormatHeader(new ExtensionHeader(PlainObjectCode, 0));
            }

            return;
        }

        if (ObjectGraph.Current.TryWriteReference(ref writer, value))
        {
            return;
        }

        if (Sequences.TravelsAs(value.GetType()) is { } publicType)
        {
            TypelessValues.Write(ref writer, value, options, publicType);
            return;
        }

        object sent = Sequences.Materialized(value) ?? value;
        Type type = sent.GetType();
        if (sent is not Exception && options is AllowListOptions { Allowed: var allowed } && !allowed.Allows(type)
            && (!FrameworkTypes.Contains(type) || WoolFormats.IsFormatted(type)))
        {
            // The receiver would refuse it; refusing it here names the routine and the field. (An
            // exception of another type still travels: the receiver makes it a RemoteException. A
            // framework type without a format is refused as such, listed or not, by its formatter.)
            throw ValueRefusedException.NotAllowed(type);
        }

        TypelessValues.Write(ref writer, sent, options);
    }
}
