using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Wool.Routines;

/// <summary>
/// Every routine known to this process, by assembly and id. Woven assemblies register their
/// routines from their module initializer; a worker that receives a call for an assembly it
/// has not loaded yet loads it (once) and runs that initializer.
/// </summary>
internal static class RoutineRegistry
{
    private static readonly ConcurrentDictionary<string, ConcurrentDictionary<string, Routine>> s_byAssembly = new(StringComparer.Ordinal);

    // Assemblies whose module initializer has completed. Registrations arrive one by one while an
    // initializer runs, so a partly filled table must not be trusted before then.
    private static readonly ConcurrentDictionary<string, bool> s_initialized = new(StringComparer.Ordinal);

    // The build (module version id) of each assembly with routines, as loaded here.
    private static readonly ConcurrentDictionary<string, Guid> s_builds = new(StringComparer.Ordinal);

    // Routines by build: a worker that runs shipped code holds several builds of one assembly side by side.
    private static readonly ConcurrentDictionary<Guid, ConcurrentDictionary<string, Routine>> s_byBuild = new();

    public static Routine Add(Routine routine)
    {
        s_builds.TryAdd(routine.AssemblyName, routine.ModuleVersionId);
        s_byBuild.GetOrAdd(routine.ModuleVersionId, static _ => new ConcurrentDictionary<string, Routine>(StringComparer.Ordinal)).TryAdd(routine.Id, routine);
        var routines = s_byAssembly.GetOrAdd(routine.AssemblyName, static _ => new ConcurrentDictionary<string, Routine>(StringComparer.Ordinal));
        if (!routines.TryAdd(routine.Id, routine))
        {
            // The module initializer runs once per load; a second registration means the same
            // assembly was loaded twice (two load contexts). The same build keeps the first; another
            // build (shipped code, side by side) keeps its own, found by its build id.
            Routine first = routines[routine.Id];
            return first.ModuleVersionId == routine.ModuleVersionId ? first : routine;
        }

        return routine;
    }

    /// <summary>The routines registered for <paramref name="assemblyName"/> (full name), by name.</summary>
    public static IReadOnlyList<string> NamesIn(string assemblyName)
        => s_byAssembly.TryGetValue(assemblyName, out var routines) ? [.. routines.Values.Select(static r => r.Name).Order(StringComparer.Ordinal)] : [];

    /// <summary>
    /// This process's build of <paramref name="assemblyName"/> when it differs from
    /// <paramref name="moduleVersionId"/>, loading the assembly if needed; null when it is the same
    /// build, or when the assembly is not available here (which the call itself then reports).
    /// </summary>
    public static Guid? OtherBuild(string assemblyName, Guid moduleVersionId)
    {
        if (moduleVersionId == Guid.Empty)
        {
            return null;
        }

        if (!s_builds.TryGetValue(assemblyName, out Guid here))
        {
            try
            {
                if (!s_initialized.ContainsKey(assemblyName))
                {
                    Initialize(assemblyName);
                }
            }
            catch (RoutineNotFoundException)
            {
                return null;
            }

            if (!s_builds.TryGetValue(assemblyName, out here))
            {
                return null;
            }
        }

        return here == moduleVersionId ? null : here;
    }

    /// <summary>Whether routines of build <paramref name="moduleVersionId"/> are registered here.</summary>
    public static bool HasBuild(Guid moduleVersionId) => s_byBuild.ContainsKey(moduleVersionId);

    /// <summary>Forgets the routines of a build whose code is being unloaded (so that nothing here keeps it alive).</summary>
    public static void RemoveBuild(Guid moduleVersionId)
    {
        s_byBuild.TryRemove(moduleVersionId, out _);
        foreach (var routines in s_byAssembly.Values)
        {
            foreach (var (id, routine) in routines)
            {
                if (routine.ModuleVersionId == moduleVersionId)
                {
                    routines.TryRemove(new KeyValuePair<string, Routine>(id, routine));
                }
            }
        }
    }

    /// <summary>Finds a routine, loading its assembly if needed.</summary>
    /// <exception cref="RoutineNotFoundException">The assembly or the routine is not available here, or is a different build.</exception>
    public static Routine Resolve(string assemblyName, string id, Guid moduleVersionId)
    {
        if (moduleVersionId != Guid.Empty && s_byBuild.TryGetValue(moduleVersionId, out var ofBuild) && ofBuild.TryGetValue(id, out Routine? known) && known.AssemblyName == assemblyName)
        {
            return known;
        }

        if (!s_initialized.ContainsKey(assemblyName))
        {
            Initialize(assemblyName);
        }

        if (!s_byAssembly.TryGetValue(assemblyName, out var routines))
        {
            throw new RoutineNotFoundException(
                $"Assembly '{assemblyName}' has no routines on this worker: it was not woven by Wool.Fody, or it is a different build than the caller's. Rebuild it with the Wool weaver and redeploy.");
        }

        if (!routines.TryGetValue(id, out Routine? routine))
        {
            throw new RoutineNotFoundException(
                $"Routine '{id}' is not defined in assembly '{assemblyName}' as loaded by this worker. " +
                "Caller and worker must run the same build: redeploy the worker with the caller's assemblies.");
        }

        if (moduleVersionId != Guid.Empty && routine.ModuleVersionId != moduleVersionId)
        {
            throw new RoutineNotFoundException(
                $"Routine '{routine.Name}' comes from a different build of '{assemblyName}' on this worker " +
                $"(module version {routine.ModuleVersionId}, caller has {moduleVersionId}). Redeploy the worker with the caller's assemblies.");
        }

        return routine;
    }

    /// <summary>
    /// Loads the assembly if needed and waits until its module initializer has registered every
    /// routine. The name comes from a caller, so only an assembly of the application (or one listed
    /// with <c>--allow-type assembly:Name</c>) is loaded, by its simple name, and only an assembly
    /// built against Wool has its initializer run: a call cannot make a worker load a file of its choosing.
    /// </summary>
    private static void Initialize(string assemblyName)
    {
        AssemblyName name;
        try
        {
            name = new AssemblyName(assemblyName);
        }
        catch (Exception e) when (e is ArgumentException or FileLoadException)
        {
            throw new RoutineNotFoundException($"'{assemblyName}' is not an assembly name.", e);
        }

        if (!IsSimpleName(name.Name) || !Serialization.WoolSerializer.AllowedTypes.AllowsAssembly(name.Name!))
        {
            throw new RoutineNotFoundException(
                $"Assembly '{assemblyName}' is not one of the application's assemblies on this worker, so it is not loaded. " +
                "Routines run from the application's own assemblies; a plug-in's must be listed (--allow-type assembly:<name>, WorkerPoolOptions.AllowedTypes).");
        }

        Assembly assembly;
        try
        {
            assembly = Assembly.Load(name);
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException or ArgumentException)
        {
            throw new RoutineNotFoundException(
                $"Assembly '{assemblyName}' cannot be loaded by this worker ({e.Message}). Deploy it next to the worker or start the worker from the caller's application folder.",
                e);
        }

        if (assembly.GetName().Name != typeof(RoutineRegistry).Assembly.GetName().Name
            && !assembly.GetReferencedAssemblies().Any(r => r.Name == typeof(RoutineRegistry).Assembly.GetName().Name))
        {
            throw new RoutineNotFoundException($"Assembly '{assemblyName}' has no routines: it is not built against Wool.");
        }

        // Runs the initializer the weaver emitted, or, if another thread is running it, waits for
        // it to finish (type-initializer semantics); a no-op once it has run.
        RuntimeHelpers.RunModuleConstructor(assembly.ManifestModule.ModuleHandle);
        s_initialized.TryAdd(assemblyName, true);
    }

    /// <summary>A plain assembly file name: letters, digits, '.', '_' and '-', and no path.</summary>
    internal static bool IsSimpleName(string? name)
        => !string.IsNullOrEmpty(name) && name[0] != '.' && !name.Contains("..", StringComparison.Ordinal) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
}
