using Wool.Discovery;
using Wool.Security;
using Wool.Tests.Fixtures;
using Wool.Tests.Integration.Discovery;
using Wool.Tests.Integration.Security;

namespace Wool.Tests.Integration.Code;

/// <summary>
/// A generic worker: started from a folder that holds only Wool, with <c>--accept-code</c>, it runs an
/// application's routines with the code the application ships to it over the call's connection
/// (verified by build id and SHA-256, cached on disk), but only from callers it lists.
/// </summary>
[TestClass]
// Each test runs one to three TLS workers and their first JIT: alone, so that they do not slow the
// timing-sensitive tests of other classes running beside them on a 2-core machine.
[DoNotParallelize]
public sealed class ShippedCodeTests
{
    private static string s_generic = null!;

    /// <summary>A copy of Wool's own build output: the runtime and its packages, no application.</summary>
    [ClassInitialize]
    public static void CopyGenericWorker(TestContext context)
    {
        string configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        string wool = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "Wool", "bin", configuration, "net10.0"));
        s_generic = Directory.CreateTempSubdirectory("wool-generic-").FullName;
        foreach (string file in Directory.GetFiles(wool))
        {
            File.Copy(file, Path.Combine(s_generic, Path.GetFileName(file)));
        }
    }

    [ClassCleanup]
    public static void DeleteGenericWorker() => Directory.Delete(s_generic, recursive: true);

    [TestMethod]
    public async Task GenericWorker_ListedCaller_RunsShippedRoutinesOfEveryShape()
    {
        using var authority = new TestAuthority();
        string ns = $"code-{Guid.NewGuid():N}";
        using var cache = new TemporaryFolder();
        await using var worker = await StartGenericAsync(authority, ns, cache.Path);
        await using var pool = ListedCaller(authority, ns);

        Assert.AreEqual(5, await StaticShapes.PublicAdd(2, 3).WaitAsync(Timeouts.Default), "static");
        Assert.AreEqual(105, await new OffsetCounter(100).AddOffset(5).WaitAsync(Timeouts.Default), "instance");
        Assert.AreEqual(17, await ClosureShapes.LocalFunctionCapturingLocals(7).WaitAsync(Timeouts.Default), "closure");
        Assert.AreEqual("Int32", await GenericShapes.TypeName<int>().WaitAsync(Timeouts.Default), "generic");
        var scalers = new List<int>();
        await foreach (Scaler scaler in ObjectRoutines.StreamScalers(3).WithCancellation(new CancellationTokenSource(Timeouts.Default).Token))
        {
            scalers.Add(scaler.Factor);
        }

        CollectionAssert.AreEqual(new[] { 1, 2, 3 }, scalers, "streaming, with the application's own type");
        Assert.AreEqual(9, await StaticShapes.NestedAdd(4, 5).WaitAsync(Timeouts.Default), "nested");
        await worker.WaitForLogAsync($"Loaded build {typeof(StaticShapes).Module.ModuleVersionId} of 'Wool.Tests.Fixtures' (1 assemblies of shipped code, from the caller)");
    }

    [TestMethod]
    public async Task GenericWorker_Restarted_LoadsTheBuildFromItsCacheWithoutFetching()
    {
        using var authority = new TestAuthority();
        string ns = $"code-{Guid.NewGuid():N}";
        using var cache = new TemporaryFolder();
        await using (var first = await StartGenericAsync(authority, ns, cache.Path))
        await using (var pool = ListedCaller(authority, ns))
        {
            Assert.AreEqual(5, await StaticShapes.PublicAdd(2, 3).WaitAsync(Timeouts.Default));
            await first.WaitForLogAsync("from the caller)");
        }

        await using var second = await StartGenericAsync(authority, ns, cache.Path);
        await using var again = ListedCaller(authority, ns);

        Assert.AreEqual(7, await StaticShapes.PublicAdd(3, 4).WaitAsync(Timeouts.Default));
        await second.WaitForLogAsync("from the cache)");
        Assert.IsFalse(second.Log.Any(line => line.Contains("from the caller)", StringComparison.Ordinal)), string.Join("\n", second.Log));
    }

    [TestMethod]
    public async Task GenericWorker_BuildIdle_IsUnloadedCollectedAndLoadedAgainFromTheCache()
    {
        using var authority = new TestAuthority();
        string ns = $"code-{Guid.NewGuid():N}";
        using var cache = new TemporaryFolder();
        await using var worker = await StartGenericAsync(authority, ns, cache.Path, "--code-idle-unload", "1");
        await using var pool = ListedCaller(authority, ns);
        string build = typeof(StaticShapes).Module.ModuleVersionId.ToString();

        // Calls that take the application's types through the serializer's caches, a generic routine and a stream.
        Assert.AreEqual(5, await StaticShapes.PublicAdd(2, 3).WaitAsync(Timeouts.Default));
        Assert.AreEqual(4, (await ObjectRoutines.MakeScaler(4).WaitAsync(Timeouts.Default)).Factor);
        Assert.AreEqual(105, await new OffsetCounter(100).AddOffset(5).WaitAsync(Timeouts.Default));
        Assert.AreEqual("Scaler", await GenericShapes.TypeName<Scaler>().WaitAsync(Timeouts.Default));
        await foreach (Scaler _ in ObjectRoutines.StreamScalers(2).WithCancellation(new CancellationTokenSource(Timeouts.Default).Token))
        {
        }

        await worker.WaitForLogAsync($"Unloaded build {build} of shipped code");
        // The worker collects until the build's load context is gone, and says what the heap was before and after.
        string collected = await worker.WaitForLogAsync($"The code of unloaded build {build} was collected");

        Assert.AreEqual(7, await StaticShapes.PublicAdd(3, 4).WaitAsync(Timeouts.Default));
        await worker.WaitForLogAsync("from the cache)");
        Assert.IsFalse(worker.Log.Any(line => line.Contains("is still referenced", StringComparison.Ordinal)), collected);
    }

    [TestMethod]
    public async Task GenericWorker_CallerNotListed_IsRefusedTypedAndTheWorkerKeepsServing()
    {
        using var authority = new TestAuthority();
        string ns = $"code-{Guid.NewGuid():N}";
        using var cache = new TemporaryFolder();
        await using var worker = await StartGenericAsync(authority, ns, cache.Path);
        var (certificate, key) = authority.IssueCaller("stranger", dnsName: "someone-else");
        var stranger = WorkerCredentials.FromPemFiles(authority.AuthorityFile, certificate, key, workerIdentity: TestAuthority.WorkerIdentity);

        await using (var refused = new WorkerPool(discovery: new LocalDiscovery(ns), options: WorkerPoolOptions.Default with { Credentials = stranger }))
        {
            // Refused before it ran, as a worker without the build: another worker may have it; this pool has no other.
            var error = await Assert.ThrowsExactlyAsync<NoWorkersAvailableException>(() => StaticShapes.PublicAdd(1, 1).WaitAsync(Timeouts.Default));
            StringAssert.Contains(error.Message, "does not take shipped code from this caller");
            StringAssert.Contains(error.Message, "'wool-caller'");
        }

        await using var listed = ListedCaller(authority, ns);
        Assert.AreEqual(2, await StaticShapes.PublicAdd(1, 1).WaitAsync(Timeouts.Default));
        Assert.IsFalse(worker.HasExited);
    }

    [TestMethod]
    public async Task GenericWorker_TwoBuildsOfOneApplicationAtOnce_EachCallerGetsItsOwnBuild()
    {
        using var authority = new TestAuthority();
        string ns = $"code-{Guid.NewGuid():N}";
        using var cache = new TemporaryFolder();
        await using var worker = await StartGenericAsync(authority, ns, cache.Path);
        var (certificate, key) = authority.IssueCaller("app");
        string[] tls = [authority.AuthorityFile, certificate, key];

        // Both builds' callers at once: the worker loads both builds and runs them side by side.
        var a = RollingDeployTests.CallAsync("A", ns, calls: 10, quorum: 1, tls);
        var b = RollingDeployTests.CallAsync("B", ns, calls: 10, quorum: 1, tls);
        var (buildA, answersA) = await a;
        var (buildB, answersB) = await b;

        Assert.AreNotEqual(buildA, buildB);
        CollectionAssert.AreEqual(Enumerable.Repeat($"answer A {worker.ProcessId}", 10).ToArray(), answersA, string.Join("\n", worker.Log));
        CollectionAssert.AreEqual(Enumerable.Repeat($"answer B {worker.ProcessId}", 10).ToArray(), answersB, string.Join("\n", worker.Log));
        await worker.WaitForLogAsync($"Loaded build {Guid.ParseExact(buildA, "N")} of 'Wool.Tests.Rolling'");
        await worker.WaitForLogAsync($"Loaded build {Guid.ParseExact(buildB, "N")} of 'Wool.Tests.Rolling'");
    }

    [TestMethod]
    public async Task GenericWorkers_NestedCallToAPeerWithoutTheCode_ThePeerFetchesItFromTheWorkerThatAsks()
    {
        using var authority = new TestAuthority();
        string ns = $"code-{Guid.NewGuid():N}";
        using var cacheOne = new TemporaryFolder();
        using var cacheTwo = new TemporaryFolder();
        await using var one = await StartGenericAsync(authority, ns, cacheOne.Path, "--tag", "front");
        await using var two = await StartGenericAsync(authority, ns, cacheTwo.Path);
        // The application calls only the first worker (by its tag): whatever code the second runs came from the first.
        await using var pool = new WorkerPool(discovery: new LocalDiscovery(ns), options: WorkerPoolOptions.Default with { Credentials = authority.CallerCredentials("app"), Tags = ["front"] });

        bool reachedTwo = false;
        for (int i = 0; i < 40 && !reachedTwo; i++)
        {
            int[] where;
            try
            {
                where = await StaticShapes.ProcessIdsNested().WaitAsync(Timeouts.Default);
            }
            catch (Exception e)
            {
                throw new AssertFailedException($"{e}\n--- one:\n{string.Join("\n", one.Log)}\n--- two:\n{string.Join("\n", two.Log)}");
            }

            Assert.AreEqual(one.ProcessId, where[0]);
            reachedTwo = where[1] == two.ProcessId;
        }

        Assert.IsTrue(reachedTwo, "The first worker's nested calls never reached its peer.");
        await two.WaitForLogAsync($"Loaded build {typeof(StaticShapes).Module.ModuleVersionId} of 'Wool.Tests.Fixtures' (1 assemblies of shipped code, from the caller)");
    }

    /// <summary>A pool of the namespace's workers, calling as the listed caller identity.</summary>
    private static WorkerPool ListedCaller(TestAuthority authority, string ns)
        => new(discovery: new LocalDiscovery(ns), options: WorkerPoolOptions.Default with { Credentials = authority.CallerCredentials("app") });

    private static Task<DurableWorker> StartGenericAsync(TestAuthority authority, string ns, string cache, params string[] more)
        => DurableWorker.StartFromAsync(
            s_generic,
            "Wool",
            ["--discovery", "local", "--namespace", ns, .. authority.WorkerArguments(authority.Issue("worker")),
             "--accept-code", "--accept-code-from", TestAuthority.CallerIdentity, "--accept-code-from", TestAuthority.WorkerIdentity, "--code-cache", cache, "--log-level", "Information", .. more]);

    private sealed class TemporaryFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("wool-code-cache-").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
