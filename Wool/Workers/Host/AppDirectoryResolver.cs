using System.Reflection;
using System.Runtime.Loader;

namespace Wool.Workers.Host;

/// <summary>
/// Loads assemblies the dependency file does not list (plug-ins, assemblies the caller loaded by
/// path) from the application folder the worker was started in, and its <c>--assemblies</c>
/// folder, by simple name only.
/// </summary>
internal static class AppDirectoryResolver
{
    private static string[] s_folders = [AppContext.BaseDirectory];

    public static void Install(string? extraFolder)
    {
        if (extraFolder is not null)
        {
            s_folders = [extraFolder, AppContext.BaseDirectory];
        }

        AssemblyLoadContext.Default.Resolving += Resolve;
    }

    private static Assembly? Resolve(AssemblyLoadContext context, AssemblyName name)
    {
        // Names come from payloads: a name that is a path ('/tmp/evil/X') would leave the folders.
        if (!Routines.RoutineRegistry.IsSimpleName(name.Name))
        {
            return null;
        }

        foreach (string folder in s_folders)
        {
            string candidate = Path.Combine(folder, name.Name + ".dll");
            if (File.Exists(candidate))
            {
                return context.LoadFromAssemblyPath(candidate);
            }
        }

        return null;
    }
}
