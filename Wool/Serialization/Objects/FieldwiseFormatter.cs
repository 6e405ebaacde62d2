using System.Runtime.CompilerServices;
using MessagePack;
using MessagePack.Formatters;
using Wool.Serialization.Graph;
using Wool.Serialization.Types;

namespace Wool.Serialization.Objects;

/// <summary>
/// Copies a class or struct without a MessagePack contract of its own field by field
/// (<see cref="FieldLayout"/>): written as <c>[fingerprint, field0, field1, …]</c>, rebuilt as an
/// instance created without running a constructor whose fields are then set, so the copy has
/// exactly the sender's state whatever the type's shape (private and <c>readonly</c> fields,
/// constructors with parameters, get-only properties with initializers). A class instance is
/// registered with the message's <see cref="ObjectGraph"/> before its fields are read, so its
/// fields may refer back to it.
/// <para>
/// Only types this process exchanges are copied, on both sides: the type rules
/// (<see cref="TypeAllowList"/>) decide, whether the type was named in the payload or reached
/// through a declared field type, so creating objects without constructors stays behind the same
/// boundary as typeless deserialization. Built once per type; thread-safe.
/// </para>
/// </summary>
internal sealed class FieldwiseFormatter<T> : IMessagePackFormatter<T>, IDeferrable
{
    private readonly FieldLayout _layout;
    private readonly FieldSlot<T>[] _slots;
    private TypeAllowList? _checked;

    public FieldwiseFormatter()
    {
        _layout = FieldLayout.Of(typeof(T));
        _slots = [.. _layout.Fields.Select(FieldSlot<T>.For)];
    }

    public void Serialize(ref MessagePackWriter writer, T value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        if (_layout.Refusal is { } refusal)
        {
            throw refusal.Copy();
        }

        if (!IsAllowed(options))
        {
            throw ValueRefusedException.NotAllowed(typeof(T));
        }

        WriteFields(ref writer, ref value, options);
    }

    public T Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return default!;
        }

        T value = Create(options);
        if (!typeof(T).IsValueType)
        {
            ObjectGraph.Current.Adopt(value!);
        }

        ReadFields(ref reader, ref value, options);
        return value;
    }

    object IDeferrable.CreateEmpty(MessagePackSerializerOptions options) => Create(options)!;

    void IDeferrable.WriteBody(ref MessagePackWriter writer, object value, MessagePackSerializerOptions options)
    {
        T typed = (T)value;
        WriteFields(ref writer, ref typed, options);
    }

    void IDeferrable.ReadBody(ref MessagePackReader reader, object instance, MessagePackSerializerOptions options)
    {
        T typed = (T)instance;
        ReadFields(ref reader, ref typed, options);
    }

    private void WriteFields(ref MessagePackWriter writer, ref T value, MessagePackSerializerOptions options)
    {
        writer.WriteArrayHeader(_slots.Length + 1);
        writer.Write(_layout.Fingerprint);
        foreach (FieldSlot<T> slot in _slots)
        {
            slot.Write(ref writer, ref value, options);
        }
    }

    private void ReadFields(ref MessagePackReader reader, ref T value, MessagePackSerializerOptions options)
    {
        options.Security.DepthStep(ref reader);
        try
        {
            int count = reader.ReadArrayHeader();
            if (count != _slots.Length + 1 || reader.ReadUInt32() != _layout.Fingerprint)
            {
                throw new WoolSerializationException(
                    $"received a '{TypeNames.Readable(typeof(T))}' whose fields differ from this process's: caller and worker run different builds of {typeof(T).Assembly.GetName().Name}. Deploy the same build to both");
            }

            foreach (FieldSlot<T> slot in _slots)
            {
                slot.Read(ref reader, ref value, options);
            }
        }
        finally
        {
            reader.Depth--;
        }
    }

    private T Create(MessagePackSerializerOptions options)
    {
        if (_layout.Refusal is { } refusal)
        {
            throw new WoolSerializationException($"a '{TypeNames.Readable(typeof(T))}' cannot be rebuilt: it {refusal.Problem}");
        }

        if (!IsAllowed(options))
        {
            throw new TypeAccessException(TypeAllowList.Refusal(typeof(T)));
        }

        return (T)RuntimeHelpers.GetUninitializedObject(typeof(T));
    }

    private bool IsAllowed(MessagePackSerializerOptions options)
    {
        if (options is not AllowListOptions { Allowed: var allowed } || ReferenceEquals(allowed, Volatile.Read(ref _checked)))
        {
            return true;
        }

        if (!allowed.Allows(typeof(T)))
        {
            return false;
        }

        Volatile.Write(ref _checked, allowed);
        return true;
    }
}
