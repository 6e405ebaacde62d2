using System.Collections.Concurrent;
using System.Reflection;

namespace Wool.Serialization;

/// <summary>
/// The state of an exception type beyond <see cref="Exception"/> itself: every instance field
/// declared between the type and <see cref="Exception"/> (custom properties' backing fields,
/// <see cref="ArgumentException.ParamName"/>, …), keyed by declaring type and name so that
/// same-named private fields at two levels stay apart. Reflection runs once per type, on the
/// exception path only.
/// </summary>
internal static class ExceptionFields
{
    private const BindingFlags Declared = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;

    private static readonly Types.TypeCache<Dictionary<string, FieldInfo>> s_fields = new();

    /// <summary><see cref="Exception"/>'s raw message (without computed suffixes such as ArgumentException's parameter name).</summary>
    public static readonly FieldInfo? Message = typeof(Exception).GetField("_message", BindingFlags.Instance | BindingFlags.NonPublic);

    /// <summary><see cref="Exception"/>'s inner exception, which has no setter.</summary>
    public static readonly FieldInfo? InnerException = typeof(Exception).GetField("_innerException", BindingFlags.Instance | BindingFlags.NonPublic);

    public static readonly PropertyInfo HResult = typeof(Exception).GetProperty(nameof(Exception.HResult))!;

    public static Dictionary<string, FieldInfo> Of(Type type) => s_fields.GetOrAdd(type, static t =>
    {
        var fields = new Dictionary<string, FieldInfo>(StringComparer.Ordinal);
        for (Type? level = t; level is not null && level != typeof(Exception); level = level.BaseType)
        {
            foreach (FieldInfo field in level.GetFields(Declared))
            {
                // [NonSerialized] still marks caches that exception authors chose not to carry.
#pragma warning disable SYSLIB0050
                if ((field.Attributes & FieldAttributes.NotSerialized) == 0)
#pragma warning restore SYSLIB0050
                {
                    fields[level.FullName + "." + field.Name] = field;
                }
            }
        }

        return fields;
    });
}
