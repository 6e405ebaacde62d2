using System.Text;

namespace Wool.Serialization;

/// <summary>Type names as C# users write them, for messages.</summary>
internal static class TypeNames
{
    public static string Readable(Type type)
    {
        if (!type.IsGenericType)
        {
            return (type.FullName ?? type.Name).Replace('+', '.');
        }

        var name = new StringBuilder();
        string definition = (type.GetGenericTypeDefinition().FullName ?? type.Name).Replace('+', '.');
        int tick = definition.IndexOf('`');
        name.Append(tick < 0 ? definition : definition[..tick]).Append('<');
        name.AppendJoin(", ", type.GetGenericArguments().Select(Readable));
        return name.Append('>').ToString();
    }
}
