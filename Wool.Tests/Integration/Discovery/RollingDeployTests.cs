using System.Diagnostics;

namespace Wool.Tests.Integration.Discovery;

/// <summary>
/// A rolling deploy: two builds of one application (Wool.Tests.Rolling, built as A and B, whose
/// routine answers with its build's letter) run workers behind one discovery namespace. Each
/// caller's calls reach only workers of its own build; with only the other build's workers up, a
/// call fails saying so, and nothing ran.
/// </summary>
[TestClass]
public sealed class RollingDeployTests
{
    private const string Application = "Wool.Tests.Rolling";

    [TestMethod]
    public async Task RollingDeploy_TwoBuildsBehindOneDiscovery_EachCallerReachesOnlyWorkersOfItsBuild()
    {
        string ns = $"rolling-{Guid.NewGuid():N}";
        await using var a = await DurableWorker.StartFromAsync(Folder("A"), Application, "--discovery", "local", "--namespace", ns);
        await using var b = await DurableWorker.StartFromAsync(Folder("B"), Application, "--discovery", "local", "--namespace", ns);

        var (_, answersA) = await CallAsync("A", ns, calls: 6, quorum: 2);
        var (buildB, answersB) = await CallAsync("B", ns, calls: 6, quorum: 2);

        CollectionAssert.AreEqual(Enumerable.Repeat($"answer A {a.ProcessId}", 6).ToArray(), answersA, "Build A's caller reaches only build A's worker.");
        CollectionAssert.AreEqual(Enumerable.Repeat($"answer B {b.ProcessId}", 6).ToArray(), answersB, "Build B's caller reaches only build B's worker.");

        // B's workers gone (the deploy rolled back, say): B's caller finds only A's worker, a worker of another build.
        await b.TerminateAsync();
        var (buildOfB, failed) = await CallAsync("B", ns, calls: 2, quorum: 1);
        string buildOfA = (await CallAsync("A", ns, calls: 1, quorum: 1)).Build;

        Assert.AreEqual(buildB, buildOfB);
        foreach (string line in failed)
        {
            StringAssert.StartsWith(line, $"failed NoWorkersAvailableException: 1 worker found; none runs build {buildB[..8]}… of {Application} (they run {Short(buildOfA)}), so routine ");
        }
    }

    private static string Short(string build) => build[..8] + "…";

    internal static string Folder(string build) => Path.Combine(AppContext.BaseDirectory, "rolling", build);

    /// <summary>Runs a caller of build <paramref name="build"/> (with <paramref name="tls"/>: authority, certificate and key files): its build id and one line per call.</summary>
    internal static async Task<(string Build, string[] Lines)> CallAsync(string build, string ns, int calls, int quorum, string[]? tls = null)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in (string[])[Path.Combine(Folder(build), Application + ".dll"), "call", ns, $"{calls}", $"{quorum}", .. tls ?? []])
        {
            start.ArgumentList.Add(argument);
        }

        using var caller = Process.Start(start)!;
        Task<string> errors = caller.StandardError.ReadToEndAsync();
        string output;
        try
        {
            output = await caller.StandardOutput.ReadToEndAsync().WaitAsync(Timeouts.Default);
            await caller.WaitForExitAsync().WaitAsync(Timeouts.Default);
        }
        finally
        {
            // A caller that hangs is reaped with its workers, not left behind by a failed test.
            if (!caller.HasExited)
            {
                caller.Kill(entireProcessTree: true);
            }
        }

        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.AreEqual(0, caller.ExitCode, output + await errors);
        return (lines[0]["build ".Length..], lines[1..]);
    }
}
