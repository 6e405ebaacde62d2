using System.Text;

namespace Wool.Serialization.Types;

/// <summary>Type names as C# users write them, for messages.</summary>
internal static class TypeNames
{
    private static readonly Dictionary<Type, string> Keywords = new()
    {
        [typeof(int)] = "int", [typeof(long)] = "long", [typeof(short)] = "short", [typeof(byte)] = "byte", [typeof(sbyte)] = "sbyte",
        [typeof(uint)] = "uint", [typeof(ulong)] = "ulong", [typeof(ushort)] = "ushort", [typeof(bool)] = "bool", [typeof(char)] = "char",
        [typeof(double)] = "double", [typeof(float)] = "float", [typeof(decimal)] = "decimal", [typeof(string)] = "string", [typeof(object)] = "object",
        [typeof(nint)] = "nint", [typeof(nuint)] = "nuint",
    };

    /// <summary>The full name, namespaces included (<c>System.Collections.Generic.List&lt;MyApp.Order&gt;</c>).</summary>
    public static string Readable(Type type) => Name(type, full: true);

    /// <summary>The name without namespaces, as in code that imports them (<c>List&lt;Order&gt;</c>, <c>int</c>).</summary>
    public static string Short(Type type) => Name(type, full: false);

    private static string Name(Type type, bool full)
    {
        if (!full && Keywords.TryGetValue(type, out string? keyword))
        {
            return keyword;
        }

        if (type.IsArray)
        {
            return Name(type.GetElementType()!, full) + "[" + new string(',', type.GetArrayRank() - 1) + "]";
        }

        if (Nullable.GetUnderlyingType(type) is { } underlying && !full)
        {
            return Name(underlying, full) + "?";
        }

        string plain = (full ? type.FullName ?? type.Name : Nested(type)).Replace('+', '.');
        if (!type.IsGenericType)
        {
            return plain;
        }

        string definition = (full ? type.GetGenericTypeDefinition().FullName ?? type.Name : Nested(type.GetGenericTypeDefinition())).Replace('+', '.');
        var name = new StringBuilder();
        int tick = definition.IndexOf('`');
        name.Append(tick < 0 ? definition : definition[..tick]).Append('<');
        name.AppendJoin(", ", type.GetGenericArguments().Select(argument => Name(argument, full)));
        return name.Append('>').ToString();
    }

    private static string Nested(Type type) => type.DeclaringType is { } outer && !type.IsGenericParameter ? Nested(outer) + "." + type.Name : type.Name;
}
