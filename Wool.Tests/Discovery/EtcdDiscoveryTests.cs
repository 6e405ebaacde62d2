using System.Text;
using Wool.Discovery;

namespace Wool.Tests.Discovery;

/// <summary>etcd discovery's own logic: what it accepts, the key range it watches, and what it makes of values that are not workers.</summary>
[TestClass]
public sealed class EtcdDiscoveryTests
{
    [TestMethod]
    [DataRow("", "Endpoints is empty")]
    [DataRow("etcd:2379", "is not an etcd client URL")]
    [DataRow("http://etcd", "is not an etcd client URL")]
    [DataRow("http://etcd:2379/v3", "is not an etcd client URL")]
    [DataRow("http://etcd:2379,https://etcd-2:2379", "mixes http:// and https://")]
    public void Create_InvalidEndpoints_AreRefusedNamingThem(string endpoints, string expected)
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => new EtcdDiscovery(endpoints, "prod"));

        StringAssert.Contains(error.Message, expected);
    }

    [TestMethod]
    public void Create_NamespaceWithASlashOrAShortLease_IsRefused()
    {
        Assert.ThrowsExactly<ArgumentException>(() => new EtcdDiscovery("http://etcd:2379", "a/b"));
        var lease = Assert.ThrowsExactly<ArgumentException>(() => new EtcdDiscovery(new EtcdDiscoveryOptions { Endpoints = ["http://etcd:2379"], Namespace = "prod", LeaseTimeToLive = TimeSpan.FromSeconds(1) }));

        StringAssert.Contains(lease.Message, "LeaseTimeToLive");
    }

    [TestMethod]
    public async Task Options_Namespace_KeepsWorkersUnderItsOwnPrefix()
    {
        await using var discovery = new EtcdDiscovery("http://etcd-0:2379, http://etcd-1:2379", "prod");

        Assert.AreEqual("/wool/prod/workers/", discovery.Options.WorkersPrefix);
        Assert.AreEqual("/wool/prod/workers0", EtcdDiscovery.RangeEnd(discovery.Options.WorkersPrefix).ToStringUtf8(), "The range of a prefix ends at the prefix with its last byte plus one.");
        Assert.HasCount(2, discovery.Options.Endpoints);
    }

    [TestMethod]
    [DataRow("")]
    [DataRow("not json")]
    [DataRow("{\"Id\":\"\",\"Address\":\"http://10.0.0.5:7070\"}")]
    [DataRow("{\"Id\":\"w\",\"Address\":\"not a uri\"}")]
    [DataRow("[1,2,3]")]
    public void Read_ValueThatIsNotAWorker_IsIgnored(string value)
        => Assert.IsNull(WorkerRecord.Read(Encoding.UTF8.GetBytes(value)));

    [TestMethod]
    public void Read_ValueLargerThanTheCap_IsIgnoredWithoutParsing()
    {
        string huge = WorkerRecord.Write(new WorkerInfo("w", new Uri("http://10.0.0.5:7070"), 1) { Options = new Dictionary<string, string> { ["pad"] = new string('x', WorkerRecord.MaxLength) } });

        Assert.IsNull(WorkerRecord.Read(Encoding.UTF8.GetBytes(huge)));
    }

    [TestMethod]
    public void Read_WrittenWorker_RoundTrips()
    {
        var worker = new WorkerInfo("w1", new Uri("https://10.0.0.5:7070"), 42) { Tags = ["gpu"], Secure = true };

        WorkerInfo read = WorkerRecord.Read(Encoding.UTF8.GetBytes(WorkerRecord.Write(worker)))!;

        Assert.AreEqual((worker.Id, worker.Address, worker.ProcessId, worker.Secure, "gpu"), (read.Id, read.Address, read.ProcessId, read.Secure, read.Tags.Single()));
    }
}
