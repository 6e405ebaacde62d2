using static Wool.Tests.Integration.Discovery.NetworkSwitch;

namespace Wool.Tests.Integration.Discovery;

/// <summary>
/// DNS discovery against a real DNS server: dnsmasq in one network namespace serves the records of
/// workers in two others, as a headless Service would; a caller in a fourth finds them through its
/// <c>/etc/resolv.conf</c>, follows the records as they change, and lets a dropped worker finish
/// the call it accepted. Records live 1 s.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class DnsDiscoveryPoolTests
{
    private const string Name = "workers.wool.test";
    private const int DnsHost = 0, FirstHost = 1, SecondHost = 2, CallerHost = 3;

    [TestMethod]
    public async Task DnsDiscovery_AddressRecordsChange_PoolFollowsAndDroppedWorkerFinishesItsCall()
    {
        using var network = Create(4);
        using var dns = StartDns(network, []);
        dns.SetAddresses(Name, Address(FirstHost));
        // The first worker finds its own peers through the same name (--discovery dns).
        await using var first = await DurableWorker.StartInAsync(network.Namespace(FirstHost), [.. Listen(Address(FirstHost), 7070), "--discovery", "dns", "--dns-name", Name, "--dns-port", "7070"]);
        await using var second = await DurableWorker.StartInAsync(network.Namespace(SecondHost), Listen(Address(SecondHost), 7070));
        await using var caller = await CallerProcess.StartAsync(network.Namespace(CallerHost), "dns", Name, "7070");
        Assert.AreEqual($"ran {first.ProcessId}", await caller.AskAsync("where", "ran"));

        dns.SetAddresses(Name, Address(FirstHost), Address(SecondHost));
        var (_, added) = await caller.AskUntilAsync("where", "ran", reply => reply == $"ran {second.ProcessId}");
        Console.WriteLine($"DNS (A): a worker added to the records ran its first call after {added.TotalMilliseconds:0} ms");

        // One long call on each worker (round robin), then the first leaves the records.
        await caller.SendAsync("hold 8000");
        await caller.SendAsync("hold 8000");
        await first.WaitForLogAsync("holding for 8000 ms");
        await second.WaitForLogAsync("holding for 8000 ms");
        dns.SetAddresses(Name, Address(SecondHost));
        var (_, dropped) = await caller.AskUntilAsync("workers", "workers", reply => reply == $"workers {Address(SecondHost)}:7070");
        Console.WriteLine($"DNS (A): a worker removed from the records was dropped after {dropped.TotalMilliseconds:0} ms");

        for (int call = 0; call < 4; call++)
        {
            Assert.AreEqual($"ran {second.ProcessId}", await caller.AskAsync("where", "ran"), "A dropped worker gets no new call.");
        }

        string[] held = [await caller.NextAsync("held", "failed"), await caller.NextAsync("held", "failed")];
        CollectionAssert.AreEquivalent(new[] { $"held {first.ProcessId}", $"held {second.ProcessId}" }, held, "The dropped worker finishes the call it accepted.");
    }

    [TestMethod]
    public async Task DnsDiscovery_SrvRecordsWithIPv6Targets_PoolFollowsThemAndKeepsWorkersWhileDnsIsDown()
    {
        using var network = Create(4);
        string[] firstOnly = [.. Srv("w1", Address6(FirstHost), 7071)];
        string[] both = [.. firstOnly, .. Srv("w2", Address6(SecondHost), 7072)];
        using var dns = StartDns(network, firstOnly);
        await using var first = await DurableWorker.StartInAsync(network.Namespace(FirstHost), Listen($"[{Address6(FirstHost)}]", 7071));
        await using var second = await DurableWorker.StartInAsync(network.Namespace(SecondHost), Listen($"[{Address6(SecondHost)}]", 7072));
        await using var caller = await CallerProcess.StartAsync(network.Namespace(CallerHost), "dns", "_wool._tcp.wool.test", "srv");
        Assert.AreEqual($"ran {first.ProcessId}", await caller.AskAsync("where", "ran"));

        dns.Restart(both);
        var (_, added) = await caller.AskUntilAsync("where", "ran", reply => reply == $"ran {second.ProcessId}");
        Console.WriteLine($"DNS (SRV): a worker added to the records ran its first call after {added.TotalMilliseconds:0} ms");

        // The DNS server is down, for longer than the records live: lookups fail (logged once), and the workers known stay in use.
        dns.Stop();
        await Eventually.WaitUntilAsync(
            () => Task.FromResult(caller.Log.Any(line => line.Contains("Looking up workers at '_wool._tcp.wool.test' failed", StringComparison.Ordinal))),
            "the caller logs the failing lookups");
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.AreEqual($"workers [{Address6(FirstHost)}]:7071,[{Address6(SecondHost)}]:7072", await caller.AskAsync("workers", "workers"));
        StringAssert.StartsWith(await caller.AskAsync("where", "ran"), "ran ");

        dns.Restart([.. Srv("w2", Address6(SecondHost), 7072)]);
        await caller.AskUntilAsync("workers", "workers", reply => reply == $"workers [{Address6(SecondHost)}]:7072");
        Assert.AreEqual($"ran {second.ProcessId}", await caller.AskAsync("where", "ran"));
    }

    private static DnsServer StartDns(NetworkSwitch network, string[] records)
    {
        foreach (int host in (int[])[FirstHost, SecondHost, CallerHost])
        {
            network.UseNameServer(host, Address(DnsHost));
        }

        return DnsServer.Start(network.Namespace(DnsHost), Address(DnsHost), records);
    }

    /// <summary>A worker on a host's network address, without TLS: the switch is the test's own, isolated network.</summary>
    private static string[] Listen(string host, int port) => ["--listen", $"{host}:{port}", "--insecure-listen-on-network"];

    /// <summary>dnsmasq options for an SRV record of the service pointing at <paramref name="target"/>, which has only an AAAA record.</summary>
    private static string[] Srv(string target, string address, int port) => [$"--srv-host=_wool._tcp.wool.test,{target}.wool.test,{port}", $"--host-record={target}.wool.test,{address}"];
}
