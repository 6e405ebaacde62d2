using System.Reflection;
using System.Runtime.Loader;

namespace Wool.Workers;

/// <summary>
/// Loads assemblies the dependency file does not list (plug-ins, assemblies the caller loaded by
/// path) from the application folder the worker was started in.
/// </summary>
internal static class AppDirectoryResolver
{
    public static void Install() => AssemblyLoadContext.Default.Resolving += Resolve;

    private static Assembly? Resolve(AssemblyLoadContext context, AssemblyName name)
    {
        string candidate = Path.Combine(AppContext.BaseDirectory, name.Name + ".dll");
        return File.Exists(candidate) ? context.LoadFromAssemblyPath(candidate) : null;
    }
}
