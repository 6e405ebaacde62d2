namespace Wool.Serialization;

/// <summary>
/// Typeless values of small primitive types may come back narrower than they were declared
/// (a 1 in a <c>long</c> field). Reflection does not narrow, so widen explicitly.
/// </summary>
internal static class Primitives
{
    public static object? Convert(object? value, Type target)
    {
        if (value is null || target.IsInstanceOfType(value))
        {
            return value;
        }

        Type underlying = Nullable.GetUnderlyingType(target) ?? target;
        if (underlying.IsEnum)
        {
            return Enum.ToObject(underlying, value);
        }

        return underlying.IsPrimitive || underlying == typeof(decimal)
            ? System.Convert.ChangeType(value, underlying, System.Globalization.CultureInfo.InvariantCulture)
            : value;
    }
}
