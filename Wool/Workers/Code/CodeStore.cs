using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace Wool.Workers.Code;

/// <summary>
/// A worker's shipped code: the application builds callers sent it, each in its own
/// <see cref="ShippedBuild"/>, and their files in a <see cref="CodeCache"/> on disk, which outlives the
/// process: a restarted worker loads a build from disk and fetches nothing. A build is fetched once
/// however many calls need it at the same moment; with an idle period, a build without calls for that
/// long is unloaded (<see cref="BuildUnloader"/>).
/// Thread-safe.
/// </summary>
internal sealed class CodeStore
{
    /// <summary>At most this many assemblies in one build: the application's own and the packages the worker lacks.</summary>
    public const int MaxAssemblies = 256;

    /// <summary>At most this many bytes in one build.</summary>
    public const long MaxBuildBytes = 256L * 1024 * 1024;

    private static readonly TimeSpan FetchTimeout = TimeSpan.FromMinutes(2);

    // What the worker's own context provides (the framework, Wool and its packages): never shipped, so
    // that both sides of a build's boundary share one Wool and one framework.
    private static readonly HashSet<string> s_provided = ProvidedAssemblies();

    private readonly CodeCache _cache;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<Guid, Lazy<Task<ShippedBuild>>> _loaded = new();
    private readonly Lock _use = new();
    private readonly BuildUnloader? _unloader;

    /// <param name="folder">The cache folder; created private (0700) when missing.</param>
    /// <param name="logger">Where loads and refusals are logged.</param>
    /// <param name="idleUnload">How long a build may go without calls before it is unloaded; null: never.</param>
    /// <exception cref="UnsafeLocationException">The folder exists and is not this user's alone.</exception>
    public CodeStore(string folder, ILogger logger, TimeSpan? idleUnload = null)
    {
        _cache = new CodeCache(folder);
        _logger = logger;
        _unloader = idleUnload is { } idle ? new BuildUnloader(this, idle, logger) : null;
    }

    /// <summary>Build <paramref name="id"/>, when it is loaded, counted as in use until <see cref="Release"/>; null otherwise.</summary>
    public ShippedBuild? Use(Guid id)
    {
        lock (_use)
        {
            if (_loaded.TryGetValue(id, out var load) && load.IsValueCreated && load.Value.IsCompletedSuccessfully)
            {
                ShippedBuild build = load.Value.Result;
                build.InFlight++;
                build.Touch();
                return build;
            }

            return null;
        }
    }

    /// <summary>Whether build <paramref name="id"/> is loaded here.</summary>
    public bool IsLoaded(Guid id) => _loaded.TryGetValue(id, out var load) && load.IsValueCreated && load.Value.IsCompletedSuccessfully;

    /// <summary>A call of <paramref name="build"/> ended.</summary>
    public void Release(ShippedBuild build)
    {
        lock (_use)
        {
            build.InFlight--;
            build.Touch();
        }
    }

    /// <summary>Removes the builds idle for <paramref name="idle"/> with no call in progress; returns them (to unload).</summary>
    internal List<ShippedBuild> TakeIdle(TimeSpan idle)
    {
        var taken = new List<ShippedBuild>();
        lock (_use)
        {
            foreach (var (id, load) in _loaded)
            {
                if (load.IsValueCreated && load.Value.IsCompletedSuccessfully && load.Value.Result is { InFlight: 0 } build
                    && Environment.TickCount64 - build.LastUsed >= (long)idle.TotalMilliseconds && _loaded.TryRemove(new KeyValuePair<Guid, Lazy<Task<ShippedBuild>>>(id, load)))
                {
                    // Out of the registry under the same lock: a call that no longer finds it loaded loads it again.
                    Routines.RoutineRegistry.RemoveBuild(id);
                    taken.Add(build);
                }
            }
        }

        return taken;
    }

    /// <summary>The default cache: <c>$XDG_CACHE_HOME/wool/code</c>, else <c>~/.cache/wool/code</c>.</summary>
    public static string DefaultFolder
    {
        get
        {
            string? cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            string home = string.IsNullOrEmpty(cache) ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache") : cache;
            return Path.Combine(home, "wool", "code");
        }
    }

    /// <summary>
    /// Whether a call of build <paramref name="build"/> of <paramref name="assembly"/> needs shipped code:
    /// no build of that id is registered here and the worker's own application does not have it.
    /// </summary>
    public static bool Needs(string assembly, Guid build)
    {
        if (build == Guid.Empty || Routines.RoutineRegistry.HasBuild(build))
        {
            return false;
        }

        if (SimpleName(assembly) is not { } name)
        {
            return true;
        }

        // Nothing a caller makes up is remembered: only the build of each file the worker's own folder
        // holds (a bounded set, read once per file), and the assemblies already loaded.
        return !AssemblyLoadContext.Default.Assemblies.Any(a => a.ManifestModule.ModuleVersionId == build && a.GetName().Name == name)
            && InApplication(name) != build;
    }

    private static readonly ConcurrentDictionary<string, Guid> s_folder = new(StringComparer.Ordinal);

    /// <summary>The loaded build <paramref name="build"/>, loading it (from the cache, else from <paramref name="source"/>) if needed.</summary>
    /// <exception cref="CodeShippingException">It could not be fetched or loaded; the message says which assembly and why.</exception>
    public async Task<ShippedBuild> LoadAsync(string assembly, Guid build, ICodeSource source, CancellationToken cancellationToken)
    {
        string name = SimpleName(assembly) ?? throw new CodeShippingException($"'{assembly}' is not an assembly name that can be shipped.");
        Lazy<Task<ShippedBuild>> load = _loaded.GetOrAdd(build, id => new Lazy<Task<ShippedBuild>>(() => LoadCoreAsync(name, id, source)));
        try
        {
            ShippedBuild loaded = await load.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
            loaded.Touch();
            return loaded;
        }
        catch (Exception e) when (load.Value.IsFaulted)
        {
            // A failed load is forgotten, so that a later call (another caller, say) may try again.
            _loaded.TryRemove(new KeyValuePair<Guid, Lazy<Task<ShippedBuild>>>(build, load));
            if (e is CodeShippingException)
            {
                throw;
            }

            // The cache could not be written or read (a full disk, say): still a typed error that names the build.
            throw new CodeShippingException($"Build {build:N} of '{name}' could not be loaded on this worker: {e.Message}", e);
        }
    }

    private async Task<ShippedBuild> LoadCoreAsync(string name, Guid build, ICodeSource source)
    {
        (Dictionary<string, string> Files, HashSet<string> Application)? cached = _cache.Build(name, build, _logger);
        var (files, application) = cached ?? default;
        string origin = files is null ? "the caller" : "the cache";
        if (files is null)
        {
            using var timeout = new CancellationTokenSource(FetchTimeout);
            (files, application) = await FetchAsync(name, build, source, timeout.Token).ConfigureAwait(false);
        }

        var context = new ShippedBuild(build, files);
        Assembly main;
        try
        {
            main = context.LoadFromAssemblyPath(files[name]);
        }
        catch (Exception e) when (e is BadImageFormatException or FileLoadException or FileNotFoundException)
        {
            context.Unload();
            throw new CodeShippingException($"Assembly '{name}' of build {build:N} could not be loaded ({e.Message}).", e);
        }

        string wool = typeof(CodeStore).Assembly.GetName().Name!;
        if (!main.GetReferencedAssemblies().Any(r => r.Name == wool))
        {
            context.Unload();
            throw new CodeShippingException($"Assembly '{name}' has no routines: it is not built against Wool.");
        }

        // The assemblies the caller counts as the application's own (not its packages): their types travel like the application's.
        Serialization.WoolSerializer.Allow(application.Select(static n => "assembly:" + n));
        // Registers the build's routines (the weaver's module initializer), under the build's id.
        RuntimeHelpers.RunModuleConstructor(main.ManifestModule.ModuleHandle);
        CodeLog.BuildLoaded(_logger, name, build, files.Count, origin);
        return context;
    }

    private async Task<(Dictionary<string, string> Files, HashSet<string> Application)> FetchAsync(string name, Guid build, ICodeSource source, CancellationToken cancellationToken)
    {
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        var application = new HashSet<string>(StringComparer.Ordinal);
        var wanted = new Queue<(string Name, Guid? Build)>([(name, build)]);
        var seen = new HashSet<string>(StringComparer.Ordinal) { name };
        long total = 0;
        while (wanted.TryDequeue(out var next))
        {
            if (files.Count == MaxAssemblies)
            {
                throw new CodeShippingException($"Build {build:N} of '{name}' needs more than {MaxAssemblies} assemblies this worker lacks; install the application's packages on the worker, or start the worker from the application's folder.");
            }

            ShippedFile file = await source.FetchAsync(next.Name, next.Build, build, cancellationToken).ConfigureAwait(false);
            byte[] bytes = file.Bytes;
            total += bytes.Length;
            if (total > MaxBuildBytes)
            {
                throw new CodeShippingException($"Build {build:N} of '{name}' is over {MaxBuildBytes / (1024 * 1024)} MiB of assemblies this worker lacks; start the worker from the application's folder instead.");
            }

            AssemblyImage image = AssemblyImage.Read(bytes, next.Name);
            if (image.Name != next.Name || (next.Build is Guid exact && image.ModuleVersionId != exact))
            {
                throw new CodeShippingException($"The caller sent '{image.Name}' (build {image.ModuleVersionId:N}) for '{next.Name}'{(next.Build is Guid b ? $" build {b:N}" : "")}; the worker refused it.");
            }

            files[image.Name] = _cache.Store(bytes);
            if (file.Application)
            {
                application.Add(image.Name);
            }

            foreach (string reference in image.References)
            {
                if (!s_provided.Contains(reference) && SimpleName(reference) is not null && seen.Add(reference))
                {
                    wanted.Enqueue((reference, null));
                }
            }
        }

        _cache.Record(build, files, application);
        return (files, application);
    }

    /// <summary>The build of the worker's own file of that assembly (in the folder it was started from); null when there is none.</summary>
    private static Guid? InApplication(string name)
    {
        if (s_folder.TryGetValue(name, out Guid known))
        {
            return known;
        }

        string file = Path.Combine(AppContext.BaseDirectory, name + ".dll");
        if (!File.Exists(file))
        {
            return null;
        }

        try
        {
            return s_folder.GetOrAdd(name, AssemblyImage.Read(File.ReadAllBytes(file), name).ModuleVersionId);
        }
        catch (CodeShippingException)
        {
            return null;
        }
    }

    private static string? SimpleName(string assembly)
    {
        string? name;
        try
        {
            name = assembly.Contains(',', StringComparison.Ordinal) ? new AssemblyName(assembly).Name : assembly;
        }
        catch (Exception e) when (e is ArgumentException or FileLoadException)
        {
            return null;
        }

        return Routines.RoutineRegistry.IsSimpleName(name) ? name : null;
    }

    private static HashSet<string> ProvidedAssemblies()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is string paths)
        {
            foreach (string path in paths.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                names.Add(Path.GetFileNameWithoutExtension(path));
            }
        }

        return names;
    }
}
