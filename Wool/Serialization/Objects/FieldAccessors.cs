using System.Reflection;
using System.Reflection.Emit;

namespace Wool.Serialization.Objects;

/// <summary>Reads a field of an object or struct, passed by reference so that a struct is not copied.</summary>
internal delegate TField FieldGetter<TOwner, TField>(ref TOwner owner);

/// <summary>Writes a field of an object or struct, <c>readonly</c> fields included.</summary>
internal delegate void FieldSetter<TOwner, TField>(ref TOwner owner, TField value);

/// <summary>
/// Emits, once per field, the two small methods that read and write it: the speed of a direct
/// field access, private and <c>readonly</c> fields included, without reflection per call. A
/// copy is built the way <c>BinaryFormatter</c>, pickle and Orleans build it: an instance
/// created without its constructor, whose fields are set one by one.
/// </summary>
internal static class FieldAccessors
{
    public static FieldGetter<TOwner, TField> Getter<TOwner, TField>(FieldInfo field)
    {
        var method = new DynamicMethod($"get_{field.DeclaringType!.Name}.{field.Name}", typeof(TField), [typeof(TOwner).MakeByRefType()], typeof(FieldAccessors).Module, skipVisibility: true);
        ILGenerator il = method.GetILGenerator();
        il.Emit(OpCodes.Ldarg_0);
        if (!typeof(TOwner).IsValueType)
        {
            il.Emit(OpCodes.Ldind_Ref);
        }

        il.Emit(OpCodes.Ldfld, field);
        il.Emit(OpCodes.Ret);
        return method.CreateDelegate<FieldGetter<TOwner, TField>>();
    }

    public static FieldSetter<TOwner, TField> Setter<TOwner, TField>(FieldInfo field)
    {
        var method = new DynamicMethod($"set_{field.DeclaringType!.Name}.{field.Name}", null, [typeof(TOwner).MakeByRefType(), typeof(TField)], typeof(FieldAccessors).Module, skipVisibility: true);
        ILGenerator il = method.GetILGenerator();
        il.Emit(OpCodes.Ldarg_0);
        if (!typeof(TOwner).IsValueType)
        {
            il.Emit(OpCodes.Ldind_Ref);
        }

        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Stfld, field);
        il.Emit(OpCodes.Ret);
        return method.CreateDelegate<FieldSetter<TOwner, TField>>();
    }
}
