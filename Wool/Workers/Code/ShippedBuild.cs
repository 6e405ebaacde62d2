using System.Reflection;
using System.Runtime.Loader;

namespace Wool.Workers.Code;

/// <summary>
/// One application build that callers shipped to this worker, in a collectible load context of its
/// own: its assemblies load from the worker's code cache, and everything else (the framework, Wool and
/// the packages the worker itself carries) from the worker's default context, so that Wool's types are
/// the same on both sides of the boundary. Two builds of one application run side by side, each with
/// its own types.
/// </summary>
internal sealed class ShippedBuild : AssemblyLoadContext
{
    private readonly IReadOnlyDictionary<string, string> _files;

    /// <param name="id">The module version id of the build's routine assembly.</param>
    /// <param name="files">The build's assemblies: simple name to file in the cache.</param>
    public ShippedBuild(Guid id, IReadOnlyDictionary<string, string> files)
        : base($"wool build {id:N}", isCollectible: true)
    {
        Id = id;
        _files = files;
    }

    /// <summary>The module version id of the build's routine assembly.</summary>
    public Guid Id { get; }

    /// <summary>The build's assemblies: simple name to file in the cache.</summary>
    public IReadOnlyDictionary<string, string> Files => _files;

    /// <summary>When a call of this build last started or ended (ticks of <see cref="Environment.TickCount64"/>).</summary>
    public long LastUsed { get; private set; } = Environment.TickCount64;

    /// <summary>Calls of this build in progress (changed under its store's lock).</summary>
    public int InFlight { get; set; }

    public void Touch() => LastUsed = Environment.TickCount64;

    protected override Assembly? Load(AssemblyName assemblyName)
        => assemblyName.Name is { } name && _files.TryGetValue(name, out string? file) ? LoadFromAssemblyPath(file) : null;
}
