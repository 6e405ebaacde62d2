[assembly: System.Reflection.Metadata.MetadataUpdateHandler(typeof(Wool.Routines.HotReloadWatch))]

namespace Wool.Routines;

/// <summary>
/// Never silently local under hot reload: when <c>dotnet watch</c> (or a debugger) patches an
/// assembly whose routines Wool wove, the patched methods are the compiler's, not the woven ones,
/// and run in the caller with the workers idle. The runtime tells Wool of each update; Wool says,
/// on stderr, which routines may now run locally and what to do (restart). Wool cannot re-weave a
/// patch, so it does not pretend to.
/// </summary>
internal static class HotReloadWatch
{
    /// <summary>Called by the runtime after a metadata update (hot reload).</summary>
    /// <param name="updatedTypes">The types the update changed; null when any may have changed.</param>
    internal static void UpdateApplication(Type[]? updatedTypes)
    {
        if (Warning(updatedTypes) is { } warning)
        {
            Console.Error.WriteLine(warning);
        }
    }

    /// <summary>The warning for an update of <paramref name="updatedTypes"/>, or null when it touches no assembly with routines.</summary>
    internal static string? Warning(Type[]? updatedTypes)
    {
        IEnumerable<string> assemblies = updatedTypes is null
            ? AppDomain.CurrentDomain.GetAssemblies().Select(a => a.FullName!)
            : updatedTypes.Select(t => t.Assembly.FullName!).Distinct();
        var patched = assemblies.Select(a => (Assembly: a, Routines: RoutineRegistry.NamesIn(a))).Where(p => p.Routines.Count > 0).ToList();
        if (patched.Count == 0)
        {
            return null;
        }

        string names = string.Join(", ", patched.SelectMany(p => p.Routines).Take(8).Select(n => $"'{n}'"));
        int count = patched.Sum(p => p.Routines.Count);
        return $"Wool: hot reload patched {string.Join(", ", patched.Select(p => new System.Reflection.AssemblyName(p.Assembly).Name))}, whose routines Wool wove ({names}{(count > 8 ? $" and {count - 8} more" : "")}). " +
               "Patched code is not woven: those routines may now run in this process instead of on workers. Restart the application to run them on workers again " +
               "(Ctrl+R in 'dotnet watch', or run 'dotnet watch --no-hot-reload', which restarts on every change).";
    }
}
