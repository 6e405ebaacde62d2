namespace Wool.Tests.Architecture;

/// <summary>
/// The runtime's rooms depend on each other one way: the public model at the bottom, then the
/// policies (discovery, load balancing, admission, security, serialization), context, routines,
/// the protocol, the caller's client, the pool, and the worker host. A cycle makes every change a
/// hunt, so a test fails when one comes back, naming a pair of types that makes each edge.
/// </summary>
[TestClass]
public sealed class NamespaceDependencyTests
{
    /// <summary>Root types that use the machinery: what a user types to run routines. Every other root type is the public model.</summary>
    private static readonly string[] EntryPoints =
    [
        "Wool.WorkerPool (type)", "Wool.WorkerPoolOptions (type)", "Wool.InProcessPool (type)", "Wool.RoutinePool (type)",
        "Wool.WoolContext (type)", "Wool.WoolContextVar (type)",
    ];

    private static readonly DependencyGraph Graph = DependencyGraph.Read(typeof(WorkerPool).Assembly.Location, "Wool");

    [TestMethod]
    public void WoolAssembly_Namespaces_FormNoCycle()
    {
        // Types of the root namespace may use each other: they are one namespace.
        var cycles = Graph.Cycles().Where(c => !c.All(part => part.EndsWith(" (type)", StringComparison.Ordinal))).ToList();

        Assert.IsEmpty(cycles, "Namespaces that depend on each other in a circle:\n" + string.Join("\n", cycles.Select(Describe)));
    }

    [TestMethod]
    public void PublicModel_DependsOnNoOtherNamespace()
    {
        var leaks = Graph.Edges
            .Where(e => e.Key.From.StartsWith("Wool.", StringComparison.Ordinal) && e.Key.From.EndsWith(" (type)", StringComparison.Ordinal) && !EntryPoints.Contains(e.Key.From))
            .Where(e => !e.Key.To.EndsWith(" (type)", StringComparison.Ordinal))
            .Select(e => e.Value)
            .ToList();

        Assert.IsEmpty(leaks, "Public model types (root namespace) must not use the machinery; move the type, or list it as an entry point:\n" + string.Join("\n", leaks));
    }

    [TestMethod]
    public void Workers_Rooms_DependInOneDirection()
    {
        // Host uses Pool (its peers) and Protocol; Pool uses Client; Client uses Protocol; never back.
        string[] forbidden =
        [
            "Wool.Workers.Protocol -> Wool.Workers.Client", "Wool.Workers.Protocol -> Wool.Workers.Pool", "Wool.Workers.Protocol -> Wool.Workers.Host",
            "Wool.Workers.Client -> Wool.Workers.Pool", "Wool.Workers.Client -> Wool.Workers.Host",
            "Wool.Workers.Pool -> Wool.Workers.Host",
        ];

        var found = forbidden.Where(f => Graph.Edges.ContainsKey(Split(f))).Select(f => Graph.Edges[Split(f)]).ToList();

        Assert.IsEmpty(found, string.Join("\n", found));
    }

    private static (string, string) Split(string edge)
    {
        string[] parts = edge.Split(" -> ");
        return (parts[0], parts[1]);
    }

    private static string Describe(List<string> cycle)
        => string.Join(", ", cycle) + ":\n  " + string.Join("\n  ", Graph.Edges.Where(e => cycle.Contains(e.Key.From) && cycle.Contains(e.Key.To)).Select(e => $"{e.Key.From} -> {e.Key.To}: {e.Value}"));
}
