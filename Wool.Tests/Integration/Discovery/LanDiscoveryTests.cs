using System.Diagnostics;

namespace Wool.Tests.Integration.Discovery;

/// <summary>
/// LAN discovery between two hosts: a worker in namespace A announces itself over mDNS; a pool in
/// namespace B discovers it across the veth cable and runs a routine on it.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class LanDiscoveryTests
{
    [TestMethod]
    public async Task LanDiscovery_WorkerOnHostA_PoolOnHostBFindsItAndRunsRoutine()
    {
        using var hosts = NetworkNamespaces.Create();
        string ns = $"lan-{Guid.NewGuid():N}";
        await using var worker = await StartOnAAsync(hosts, ns, "--insecure-listen-on-network");
        Assert.AreEqual(NetworkNamespaces.AddressA, worker.Address.Host, "The worker must advertise its routable address, not loopback.");

        var watch = Stopwatch.StartNew();
        string output = await CallFromBAsync(hosts, ns);

        StringAssert.StartsWith(output, $"ran on {worker.ProcessId} from ");
        Console.WriteLine($"LAN: pool process start to result from the discovered worker: {watch.ElapsedMilliseconds} ms");
        StringAssert.Contains(await worker.WaitForLogAsync("without TLS"), "anyone who can reach this port can run code", "The opt-in must be loud.");
    }

    [TestMethod]
    public async Task LanDiscovery_MutualTlsWorkerOnANetworkAddress_ServesWithoutTheInsecureOptIn()
    {
        using var hosts = NetworkNamespaces.Create();
        using var authority = new Security.TestAuthority();
        string ns = $"lan-{Guid.NewGuid():N}";
        await using var worker = await StartOnAAsync(hosts, ns, authority.WorkerArguments(authority.Issue("worker")));
        Assert.AreEqual(("https", NetworkNamespaces.AddressA), (worker.Address.Scheme, worker.Address.Host));

        var (certificate, key) = authority.Issue("caller");
        string output = await CallFromBAsync(hosts, ns, authority.AuthorityFile, certificate, key, Security.TestAuthority.WorkerIdentity);

        StringAssert.StartsWith(output, $"ran on {worker.ProcessId} from ");
        StringAssert.EndsWith(output, " over TLS");
        Assert.IsFalse(worker.Log.Any(line => line.Contains("without TLS", StringComparison.Ordinal)), "A TLS worker gives no insecure-listen warning.");
    }

    [TestMethod]
    public async Task LanDiscovery_WorkerKilledWithoutGoodbye_ExpiresFromTheViewOnHostB()
    {
        using var hosts = NetworkNamespaces.Create();
        string ns = $"lan-{Guid.NewGuid():N}";
        await using var worker = await StartOnAAsync(hosts, ns, "--insecure-listen-on-network");
        using var watcher = Process.Start(InB(hosts, "lan-watch", ns))!;
        try
        {
            await WaitForLineAsync(watcher, $"Added {worker.ProcessId}");
            var watch = Stopwatch.StartNew();
            // SIGKILL: no goodbye packet, so only the record's expiry can remove it.
            worker.Kill();

            await WaitForLineAsync(watcher, $"Dropped {worker.ProcessId}");
            Assert.IsLessThan(10_000, watch.ElapsedMilliseconds, "A crashed LAN worker expires after three missed announcements (3 s), not never.");
        }
        finally
        {
            watcher.Kill();
            await watcher.WaitForExitAsync().WaitAsync(Timeouts.Default);
        }
    }

    [TestMethod]
    public void WorkerCommand_NonLoopbackWithoutOptIn_IsRefused()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => Wool.Workers.Host.WorkerOptions.Parse(["--listen", "10.1.2.3:0"]));

        StringAssert.Contains(error.Message, "listens on loopback only");
        StringAssert.Contains(error.Message, "--insecure-listen-on-network");
    }

    /// <summary>A durable worker in network namespace A, announcing itself over mDNS and listening on A's address.</summary>
    private static Task<DurableWorker> StartOnAAsync(NetworkNamespaces hosts, string ns, params string[] options)
        => DurableWorker.StartInAsync(hosts.A, ["--discovery", "lan", "--namespace", ns, "--listen", $"{NetworkNamespaces.AddressA}:0", .. options]);

    private static async Task WaitForLineAsync(Process process, string expected)
    {
        while (await process.StandardOutput.ReadLineAsync().WaitAsync(Timeouts.Default) is { } line)
        {
            if (line == expected)
            {
                return;
            }
        }

        Assert.Fail($"The watcher ended before printing '{expected}'.");
    }

    /// <summary>A test-helper command (Wool.Tests.Parent) run inside network namespace B.</summary>
    private static ProcessStartInfo InB(NetworkNamespaces hosts, params string[] arguments)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string[] command = ["netns", "exec", hosts.B, Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", Path.Combine(AppContext.BaseDirectory, "Wool.Tests.Parent.dll"), .. arguments];
        foreach (string argument in command)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    /// <summary>Runs a pool in namespace B that discovers a worker over mDNS and makes one call; returns what it printed.</summary>
    private static async Task<string> CallFromBAsync(NetworkNamespaces hosts, params string[] arguments)
    {
        using var caller = Process.Start(InB(hosts, ["lan", .. arguments]))!;
        Task<string> stderr = caller.StandardError.ReadToEndAsync();
        string output = await caller.StandardOutput.ReadToEndAsync().WaitAsync(Timeouts.Default);
        await caller.WaitForExitAsync().WaitAsync(Timeouts.Default);

        Assert.AreEqual(0, caller.ExitCode, output + await stderr);
        return output.Trim();
    }
}
