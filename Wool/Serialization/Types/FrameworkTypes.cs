using System.Collections.Concurrent;
using System.Reflection;

namespace Wool.Serialization.Types;

/// <summary>
/// Whether a type ships with .NET itself (an assembly of a shared framework: the runtime, ASP.NET
/// Core), rather than with the application or a package. Wool never copies such a type's
/// internals field by field: their fields may hold this process's resources, and they change
/// between runtime versions. Decisions are cached per assembly; thread-safe.
/// </summary>
internal static class FrameworkTypes
{
    private static readonly string SharedFolder = Path.GetFullPath(Path.Combine(System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory(), "..", ".."));

    private static readonly ConcurrentDictionary<Assembly, bool> s_assemblies = new();

    public static bool Contains(Type type) => type.Assembly.IsCollectible ? false : s_assemblies.GetOrAdd(type.Assembly, static assembly
        => assembly == typeof(object).Assembly
           || (assembly.Location is { Length: > 0 } location && Path.GetFullPath(location).StartsWith(SharedFolder, StringComparison.Ordinal)));
}
