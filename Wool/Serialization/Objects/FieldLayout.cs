using System.Reflection;
using System.Runtime.CompilerServices;
using MessagePack;
using Wool.Serialization.Types;

namespace Wool.Serialization.Objects;

/// <summary>
/// The fields of a type that travel: every instance field at every level of its inheritance
/// chain, public or private, <c>readonly</c> or not (auto-property backing fields, primary
/// constructor parameters, init-only and <c>required</c> members included), base class first, in
/// declaration order; except those marked <see cref="NonSerializedAttribute"/> (or
/// <c>[field: NonSerialized]</c> on an auto-property or event) or MessagePack's
/// <see cref="IgnoreMemberAttribute"/>, which arrive at their default. The fingerprint of names
/// and types tells a receiver whether the sender's build laid the type out the same way.
/// </summary>
internal sealed class FieldLayout
{
    private const BindingFlags Declared = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;

    private FieldLayout(IReadOnlyList<FieldInfo> fields, uint fingerprint, ValueRefusedException? refusal)
    {
        Fields = fields;
        Fingerprint = fingerprint;
        Refusal = refusal;
    }

    public IReadOnlyList<FieldInfo> Fields { get; }

    public uint Fingerprint { get; }

    /// <summary>Why the type cannot be copied field by field, or null.</summary>
    public ValueRefusedException? Refusal { get; }

    public static FieldLayout Of(Type type)
    {
        if (FrameworkTypes.Contains(type))
        {
            return Refused(type, "is a framework type Wool has no format for, and Wool does not copy a framework type's internals (they may hold this process's resources)");
        }

        var levels = new List<Type>();
        for (Type? level = type; level is not null && level != typeof(object) && level != typeof(ValueType); level = level.BaseType)
        {
            levels.Insert(0, level);
        }

        var fields = new List<FieldInfo>();
        foreach (Type level in levels)
        {
            FieldInfo[] declared = level.GetFields(Declared);
            if (FrameworkTypes.Contains(level) && declared.Length > 0)
            {
                return Refused(type, $"derives from the framework type '{TypeNames.Short(level)}', whose internals Wool does not copy");
            }

            fields.AddRange(declared.Where(Travels).OrderBy(field => field.MetadataToken));
        }

        return new FieldLayout(fields, FingerprintOf(fields), null);
    }

    /// <summary>
    /// Why a type of the application's that MessagePack writes as a collection (it derives from
    /// <see cref="List{T}"/>, <see cref="Dictionary{TKey, TValue}"/>, …) cannot travel: it adds
    /// fields of its own, which a collection's element-by-element format would silently drop. Null
    /// when it adds none, or is not such a type.
    /// </summary>
    public static ValueRefusedException? FieldsBeyondCollection(Type type)
    {
        if (FrameworkTypes.Contains(type) || type.IsValueType || !typeof(System.Collections.IEnumerable).IsAssignableFrom(type)
            || type.IsDefined(typeof(MessagePackObjectAttribute), inherit: true) || type.IsDefined(typeof(System.Runtime.Serialization.DataContractAttribute), inherit: true))
        {
            return null;
        }

        Type? collection = null;
        var added = new List<FieldInfo>();
        for (Type? level = type; level is not null && level != typeof(object); level = level.BaseType)
        {
            if (FrameworkTypes.Contains(level))
            {
                collection ??= typeof(System.Collections.IEnumerable).IsAssignableFrom(level) ? level : null;
            }
            else
            {
                added.AddRange(level.GetFields(Declared).Where(Travels));
            }
        }

        return collection is null || added.Count == 0 ? null : new ValueRefusedException(type,
            $"derives from '{TypeNames.Short(collection)}' and adds fields ({string.Join(", ", added.Select(f => $"'{DisplayName(f)}'"))}), which would not travel: a collection travels element by element",
            "Hold the collection in a field of a class of your own instead of deriving from it, or mark the added fields [NonSerialized]");
    }

    /// <summary>A field's name as its author wrote it: the property of a backing field, the parameter of a primary constructor.</summary>
    public static string DisplayName(FieldInfo field)
    {
        string name = field.Name;
        if (name.StartsWith('<') && name.IndexOf('>') is > 1 and int close)
        {
            // <Name>k__BackingField, <name>P (primary constructor), <Name>i__Field (anonymous type).
            return name[1..close];
        }

        return name;
    }

    private static bool Travels(FieldInfo field)
    {
#pragma warning disable SYSLIB0050 // FieldAttributes.NotSerialized is how [NonSerialized] is stored.
        if ((field.Attributes & FieldAttributes.NotSerialized) != 0 || field.IsDefined(typeof(IgnoreMemberAttribute)))
#pragma warning restore SYSLIB0050
        {
            return false;
        }

        // [IgnoreMember] on an auto-property stays on the property.
        return !(field.IsDefined(typeof(CompilerGeneratedAttribute)) && field.Name.EndsWith(">k__BackingField", StringComparison.Ordinal)
                 && field.DeclaringType!.GetProperty(DisplayName(field), Declared) is { } property && property.IsDefined(typeof(IgnoreMemberAttribute)));
    }

    private static uint FingerprintOf(List<FieldInfo> fields)
    {
        // FNV-1a over declaring type, name and type of each field: stable across processes (string.GetHashCode is not).
        uint hash = 2166136261;
        foreach (FieldInfo field in fields)
        {
            foreach (char c in $"{field.DeclaringType!.Name}.{field.Name}:{TypeNames.Readable(field.FieldType)};")
            {
                hash = (hash ^ c) * 16777619;
            }
        }

        return hash;
    }

    private static FieldLayout Refused(Type type, string problem)
        => new([], 0, new ValueRefusedException(type, problem, "Pass the data it holds instead", "Mark it [NonSerialized] or pass the data it holds as an argument"));
}
