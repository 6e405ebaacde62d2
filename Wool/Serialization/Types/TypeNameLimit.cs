namespace Wool.Serialization.Types;

/// <summary>
/// Bounds a type name read from a message before the runtime parses it: a name thousands of
/// generic or array levels deep costs the parser seconds of CPU and gigabytes of memory (or its
/// stack) before any allow-list can look at it. Names Wool writes are far inside the bounds.
/// </summary>
internal static class TypeNameLimit
{
    /// <summary>The longest type name accepted, in characters.</summary>
    public const int MaxLength = 4096;

    /// <summary>The most brackets (generic arguments and array ranks) a type name may hold.</summary>
    public const int MaxBrackets = 64;

    /// <exception cref="WoolSerializationException">The name is longer or deeper than any Wool writes.</exception>
    public static string Checked(string typeName)
    {
        if (typeName.Length > MaxLength)
        {
            throw new WoolSerializationException($"a type name of {typeName.Length} characters arrived (at most {MaxLength} are read); it was not written by this build");
        }

        int brackets = typeName.AsSpan().Count('[');
        return brackets <= MaxBrackets
            ? typeName
            : throw new WoolSerializationException($"a type name with {brackets} generic or array brackets arrived (at most {MaxBrackets} are read); it was not written by this build");
    }
}
