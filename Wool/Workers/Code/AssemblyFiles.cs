using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace Wool.Workers.Code;

/// <summary>
/// The side that ships code: finds the file of an assembly a worker asked for, as this process
/// loaded it for a build (the application's own build, or, on a worker that makes nested calls,
/// a build shipped to it). Only what this process can load by a plain name is ever sent, never
/// the shared framework, never a path.
/// </summary>
internal static class AssemblyFiles
{
    // The shared frameworks' folder (…/dotnet/shared): the worker provides those itself.
    private static readonly string s_frameworks = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", ".."));

    /// <summary>The file to send, or why none is sent (for the worker's error, then the caller's).</summary>
    /// <param name="name">The assembly's simple name.</param>
    /// <param name="moduleVersionId">The exact build of it wanted, if any.</param>
    /// <param name="build">The routine assembly's build, whose load context resolves <paramref name="name"/>.</param>
    /// <param name="path">The file, when one is sent.</param>
    public static string? Find(string name, Guid? moduleVersionId, Guid build, out string path)
    {
        path = "";
        if (!Routines.RoutineRegistry.IsSimpleName(name))
        {
            return "that is not an assembly name";
        }

        AssemblyLoadContext? context = AssemblyLoadContext.All.FirstOrDefault(c => c.Assemblies.Any(a => a.ManifestModule.ModuleVersionId == build));
        if (context is null)
        {
            return $"this process has no build {build:N}";
        }

        Assembly? assembly = Loaded(context, name) ?? Loaded(AssemblyLoadContext.Default, name);
        if (assembly is null)
        {
            try
            {
                // Not used yet by this process (a dependency loads when code first needs it): load it, running nothing.
                assembly = context.LoadFromAssemblyName(new AssemblyName(name));
            }
            catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException)
            {
                return $"this process cannot load it either ({e.Message})";
            }
        }

        if (moduleVersionId is Guid exact && assembly.ManifestModule.ModuleVersionId != exact)
        {
            return $"this process has build {assembly.ManifestModule.ModuleVersionId:N} of it, not {exact:N}";
        }

        if (assembly.IsDynamic || string.IsNullOrEmpty(assembly.Location))
        {
            return "it has no file in this process (a dynamic assembly, or an application published as a single file: publish it as files to ship its code)";
        }

        if (Path.GetFullPath(assembly.Location).StartsWith(s_frameworks, StringComparison.Ordinal))
        {
            return "it belongs to a .NET shared framework, which the worker must have installed";
        }

        path = assembly.Location;
        return null;
    }

    private static Assembly? Loaded(AssemblyLoadContext context, string name)
        => context.Assemblies.FirstOrDefault(a => !a.IsDynamic && a.GetName().Name == name);
}
