using Wool.Discovery;

namespace Wool.Tests.Discovery;

/// <summary>A static list: addresses as configuration writes them, refused loudly when they are not addresses, announced again on an interval.</summary>
[TestClass]
public sealed class StaticDiscoveryTests
{
    [TestMethod]
    [DataRow("10.0.0.5:7070", "http://10.0.0.5:7070/", false)]
    [DataRow("[fd00::5]:7070", "http://[fd00::5]:7070/", false)]
    [DataRow("worker-1.internal:80", "http://worker-1.internal/", false)]
    [DataRow(" https://worker-2.internal:7443 ", "https://worker-2.internal:7443/", true)]
    [DataRow("http://127.0.0.1:7070/", "http://127.0.0.1:7070/", false)]
    public void Create_WithAnAddress_AnnouncesAWorkerThere(string address, string expected, bool secure)
    {
        var worker = new StaticDiscovery(address).Workers.Single();

        Assert.AreEqual(expected, worker.Address.AbsoluteUri);
        Assert.AreEqual(expected, worker.Id, "A listed worker's id is its address.");
        Assert.AreEqual(secure, worker.Secure);
    }

    [TestMethod]
    [DataRow("10.0.0.5")]
    [DataRow("")]
    [DataRow("ftp://10.0.0.5:21")]
    [DataRow("http://10.0.0.5:7070/wool")]
    [DataRow("http://user:secret@10.0.0.5:7070")]
    [DataRow("10.0.0.5:70700")]
    public void Create_WithSomethingElse_ThrowsNamingIt(string address)
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => new StaticDiscovery("10.0.0.1:7070", address));

        StringAssert.Contains(error.Message, $"'{address}' is not a worker address: write host:port");
    }

    [TestMethod]
    public void Create_Empty_Throws()
    {
        Assert.ThrowsExactly<ArgumentException>(() => new StaticDiscovery());
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new StaticDiscovery(["10.0.0.1:7070"], TimeSpan.FromMilliseconds(10)));
    }

    [TestMethod]
    public void Create_SameWorkerTwice_ListsItOnce()
    {
        var discovery = new StaticDiscovery("10.0.0.5:7070", "http://10.0.0.5:7070", "10.0.0.6:7070");

        CollectionAssert.AreEqual(new[] { "http://10.0.0.5:7070/", "http://10.0.0.6:7070/" }, discovery.Workers.Select(w => w.Id).ToArray());
    }

    [TestMethod]
    public async Task Subscribe_AddsEveryWorkerThenAnnouncesThemAgainUntilCancelled()
    {
        var discovery = new StaticDiscovery(["10.0.0.5:7070", "10.0.0.6:7070"], TimeSpan.FromMilliseconds(100));
        using var stop = new CancellationTokenSource(Timeouts.Default);
        var seen = new List<(DiscoveryEventKind, string)>();

        await foreach (var change in discovery.SubscribeAsync(stop.Token))
        {
            seen.Add((change.Kind, change.Worker.Address.Authority));
            if (seen.Count == 4)
            {
                stop.Cancel();
            }
        }

        CollectionAssert.AreEqual(
            new[] { (DiscoveryEventKind.Added, "10.0.0.5:7070"), (DiscoveryEventKind.Added, "10.0.0.6:7070"), (DiscoveryEventKind.Updated, "10.0.0.5:7070"), (DiscoveryEventKind.Updated, "10.0.0.6:7070") },
            seen);
    }

    [TestMethod]
    public void Pool_WithTagsOverAStaticList_IsRefusedRatherThanUsingNoWorker()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => new WorkerPool(discovery: new StaticDiscovery("127.0.0.1:7070"), options: WorkerPoolOptions.Default with { Tags = ["gpu"] }));

        StringAssert.Contains(error.Message, "The workers of a static list announce no tags");
    }
}
