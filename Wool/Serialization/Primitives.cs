namespace Wool.Serialization;

/// <summary>
/// A value read typeless for a slot declared with a type: it must be of that type, or an integer
/// that fits an integral, enum or floating-point slot (typeless integers may be written narrower
/// than they were declared). Anything else (a string for an <c>int</c>, 2.5 for an <c>int</c>, a
/// list for a record) was not written by this build for this slot, and is refused rather than
/// converted.
/// </summary>
internal static class Primitives
{
    /// <exception cref="WoolSerializationException">The value is not of the target type and does not convert to it without loss.</exception>
    public static object? Convert(object? value, Type target)
    {
        Type underlying = Nullable.GetUnderlyingType(target) ?? target;
        if (value is null)
        {
            return !target.IsValueType || underlying != target ? null : throw Mismatch(value, target);
        }

        if (target.IsInstanceOfType(value))
        {
            return value;
        }

        if (!IsInteger(value.GetType()) || !(underlying.IsEnum || IsInteger(underlying) || underlying == typeof(double) || underlying == typeof(float) || underlying == typeof(decimal)))
        {
            throw Mismatch(value, target);
        }

        try
        {
            return underlying.IsEnum
                ? Enum.ToObject(underlying, value)
                : System.Convert.ChangeType(value, underlying, System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (OverflowException e)
        {
            throw new WoolSerializationException($"the value {value} does not fit a '{Types.TypeNames.Readable(target)}'; it was not written by this build", e);
        }
    }

    private static bool IsInteger(Type type) => Type.GetTypeCode(type) is >= TypeCode.SByte and <= TypeCode.UInt64 && !type.IsEnum;

    private static WoolSerializationException Mismatch(object? value, Type target)
        => new($"a {(value is null ? "null" : $"'{Types.TypeNames.Readable(value.GetType())}'")} arrived where a '{Types.TypeNames.Readable(target)}' was expected; caller and worker must run the same build");
}
