using System.Runtime.CompilerServices;

namespace Wool.Serialization;

/// <summary>
/// Counts object nesting while serializing on this thread. MessagePack limits depth only when
/// reading; when writing, a cyclic graph recurses until the stack overflows and the process
/// dies. Serialization is synchronous, so a thread-static counter is exact.
/// </summary>
internal static class SerializationDepth
{
    /// <summary>Deepest nesting accepted; matches MessagePack's default reading limit.</summary>
    public const int Maximum = 500;

    [ThreadStatic]
    private static int t_depth;

    public static void Enter(Type type)
    {
        if (++t_depth > Maximum || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            t_depth--;
            throw new WoolSerializationException(
                $"the object graph is cyclic or nested deeper than {Maximum} levels (reached at type '{TypeNames.Readable(type)}'). " +
                "Wool sends copies and does not preserve shared references: break the cycle, for example by sending an id instead of a back-reference");
        }
    }

    public static void Exit() => t_depth--;
}
