using Wool.Discovery;
using Wool.Workers.Host;

namespace Wool.Tests.Integration.Discovery;

/// <summary>
/// A worker publishes the address pools should dial (<c>--advertise</c>, e.g. a pod's IP) rather
/// than the one it listens on, with the served port unless the option names one.
/// </summary>
[TestClass]
public sealed class AdvertiseTests
{
    [TestMethod]
    public async Task Worker_WithAdvertise_PublishesThatHostAndPoolsReachIt()
    {
        string ns = $"advertise-{Guid.NewGuid():N}";
        await using var worker = await DurableWorker.StartAsync("--discovery", "local", "--namespace", ns, "--listen", "127.0.0.1:0", "--advertise", "localhost");

        var discovery = new LocalDiscovery(ns);
        using var timeout = new CancellationTokenSource(Timeouts.Default);
        await using var events = discovery.SubscribeAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);
        Assert.IsTrue(await events.MoveNextAsync());
        Uri published = events.Current.Worker.Address;

        Assert.AreEqual("localhost", published.Host);
        Assert.AreEqual(worker.Address.Port, published.Port, "Without a port, the served one is published.");
        await using var pool = new WorkerPool(discovery: discovery);
        Assert.AreEqual(worker.ProcessId, await DiscoveryRoutines.Where().WaitAsync(Timeouts.Default));
    }

    [TestMethod]
    [DataRow("10.0.0.5", "10.0.0.5", null)]
    [DataRow("worker-1.internal:7070", "worker-1.internal", 7070)]
    [DataRow("[fd00::5]:7070", "[fd00::5]", 7070)]
    [DataRow(" pod.example:80 ", "pod.example", 80)]
    public void AdvertisedEndpoint_HostWithOrWithoutPort_IsRead(string value, string host, int? port)
        => Assert.AreEqual((host, port), WorkerAddress.AdvertisedEndpoint(value));

    [TestMethod]
    [DataRow("10.0.0.5:notaport")]
    [DataRow("http://10.0.0.5:7070")]
    [DataRow("10.0.0.5:7070/path")]
    [DataRow("bad host:1")]
    [DataRow("10.0.0.5:0")]
    [DataRow("[fe80::1%25eth0]:7070")]
    public void CommandLine_AdvertiseThatIsNotAnAddress_IsRefusedNamingIt(string value)
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => WorkerCommandLine.Parse(["--access-token-file", "/tmp/t", "--advertise", value], _ => null));

        StringAssert.Contains(error.Message, "--advertise expects the host (and optionally the port) pools should dial");
    }
}
