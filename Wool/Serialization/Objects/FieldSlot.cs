using System.Reflection;
using MessagePack;
using MessagePack.Formatters;
using Wool.Serialization.Types;

namespace Wool.Serialization.Objects;

/// <summary>One field of <typeparamref name="TOwner"/> as <see cref="FieldwiseFormatter{T}"/> copies it.</summary>
internal abstract class FieldSlot<TOwner>(FieldInfo field)
{
    public FieldInfo Field { get; } = field;

    public abstract void Write(ref MessagePackWriter writer, ref TOwner owner, MessagePackSerializerOptions options);

    public abstract void Read(ref MessagePackReader reader, ref TOwner owner, MessagePackSerializerOptions options);

    public static FieldSlot<TOwner> For(FieldInfo field)
        => (FieldSlot<TOwner>)Activator.CreateInstance(typeof(FieldSlot<,>).MakeGenericType(typeof(TOwner), field.FieldType), field)!;
}

/// <summary>A field of type <typeparamref name="TField"/>, written with its own formatter (its declared type decides, as for any MessagePack member).</summary>
internal sealed class FieldSlot<TOwner, TField>(FieldInfo field) : FieldSlot<TOwner>(field)
{
    private readonly FieldGetter<TOwner, TField> _get = FieldAccessors.Getter<TOwner, TField>(field);
    private readonly FieldSetter<TOwner, TField> _set = FieldAccessors.Setter<TOwner, TField>(field);

    public override void Write(ref MessagePackWriter writer, ref TOwner owner, MessagePackSerializerOptions options)
    {
        try
        {
            // Resolved per call, not cached: the formatter of a field's type may be the one being built (a Node's Next).
            options.Resolver.GetFormatterWithVerify<TField>().Serialize(ref writer, _get(ref owner), options);
        }
        catch (ValueRefusedException refused)
        {
            refused.ReachedThrough(Field);
            throw;
        }
        catch (Exception e) when (e is not WoolSerializationException and not InsufficientExecutionStackException)
        {
            var refused = new ValueRefusedException(typeof(TField), $"could not be written: {FailureReason.Of(e)}", "Pass the data it holds instead",
                "Mark it [NonSerialized] or pass what the routine needs as an argument", e);
            refused.ReachedThrough(Field);
            throw refused;
        }
    }

    public override void Read(ref MessagePackReader reader, ref TOwner owner, MessagePackSerializerOptions options)
        => _set(ref owner, options.Resolver.GetFormatterWithVerify<TField>().Deserialize(ref reader, options));
}
