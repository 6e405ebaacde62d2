using System.Net;
using System.Net.Sockets;
using Wool.Discovery;
using Microsoft.Extensions.Logging;
using Wool.Workers.Host;

namespace Wool.Tests.Discovery;

/// <summary>
/// DNS discovery's own logic: what it accepts, how an answer becomes Added/Updated/Dropped, that a
/// failed lookup is not an empty one, and the worker command line that selects it. The records
/// themselves are served by a real DNS server in <c>DnsDiscoveryPoolTests</c>.
/// </summary>
[TestClass]
public sealed class DnsDiscoveryTests
{
    [TestMethod]
    [DataRow("workers.default.svc.cluster.local")]
    [DataRow("_wool._tcp.workers.default.svc.cluster.local")]
    [DataRow("workers.")]
    public void Create_ValidName_IsAccepted(string name)
        => Assert.AreEqual(name, new DnsDiscovery(name).Options.Name);

    [TestMethod]
    [DataRow("", null, "is not a DNS name")]
    [DataRow("http://workers:7070", null, "is not a DNS name")]
    [DataRow("workers..local", null, "is not a DNS name")]
    [DataRow("-workers.local", null, "is not a DNS name")]
    [DataRow("workers.local", 0, "Port is 0")]
    [DataRow("workers.local", 65536, "Port is 65536")]
    public void Create_InvalidNameOrPort_IsRefusedNamingTheSetting(string name, int? port, string expected)
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => new DnsDiscovery(name, port));

        StringAssert.Contains(error.Message, expected);
    }

    [TestMethod]
    public void Create_IntervalsOutOfOrder_AreRefused()
    {
        var options = new DnsDiscoveryOptions { Name = "workers.local", MinInterval = TimeSpan.FromSeconds(10), MaxInterval = TimeSpan.FromSeconds(5) };

        var error = Assert.ThrowsExactly<ArgumentException>(() => new DnsDiscovery(options));

        StringAssert.Contains(error.Message, "MinInterval no more than MaxInterval");
    }

    [TestMethod]
    public void Apply_AnswersOverTime_AddsUpdatesAndDropsByAddress()
    {
        var known = new Dictionary<string, WorkerInfo>(StringComparer.Ordinal);
        WorkerInfo a = Worker("10.0.0.5:7070"), b = Worker("10.0.0.6:7070");

        var first = DnsDiscovery.Apply(known, [a, a]);
        var second = DnsDiscovery.Apply(known, [a, b]);
        var third = DnsDiscovery.Apply(known, [b]);
        var fourth = DnsDiscovery.Apply(known, []);

        CollectionAssert.AreEqual(new[] { "Added 10.0.0.5:7070" }, Describe(first), "An address answered twice is one worker.");
        CollectionAssert.AreEquivalent(new[] { "Updated 10.0.0.5:7070", "Added 10.0.0.6:7070" }, Describe(second));
        CollectionAssert.AreEquivalent(new[] { "Dropped 10.0.0.5:7070", "Updated 10.0.0.6:7070" }, Describe(third));
        CollectionAssert.AreEqual(new[] { "Dropped 10.0.0.6:7070" }, Describe(fourth), "A name with no records has no workers.");
    }

    [TestMethod]
    public void Apply_WorkersStillPresentBetweenReannouncements_AreNotAnnouncedAgain()
    {
        var known = new Dictionary<string, WorkerInfo>(StringComparer.Ordinal);
        WorkerInfo a = Worker("10.0.0.5:7070");
        DnsDiscovery.Apply(known, [a]);

        var quiet = DnsDiscovery.Apply(known, [a], reannounce: false);

        Assert.IsEmpty(quiet, "A refused address must not be re-dialled at every lookup.");
    }

    [TestMethod]
    public void Pool_WithAnAccessTokenOverDiscoveredAddresses_IsRefused()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => new WorkerPool(discovery: new DnsDiscovery("workers.local", 7070), options: WorkerPoolOptions.Default with { AccessTokenFile = "/tmp/never-read" }));
        var worker = Assert.ThrowsExactly<ArgumentException>(() => WorkerCommandLine.Parse(["--discovery", "dns", "--dns-name", "workers.local", "--access-token-file", "/tmp/never-read"], _ => null));

        StringAssert.Contains(error.Message, "An access token would be sent in clear to every address DnsDiscovery names");
        StringAssert.Contains(worker.Message, "would send them its access token in clear");
    }

    [TestMethod]
    public async Task Lookup_ServerThatNeverAnswers_IsAFailureNotAnEmptyAnswer()
    {
        // A UDP socket that reads nothing: every query times out.
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var discovery = new DnsDiscovery(new DnsDiscoveryOptions
        {
            Name = "workers.wool.test",
            Port = 7070,
            NameServers = [(IPEndPoint)silent.LocalEndPoint!],
            QueryTimeout = TimeSpan.FromMilliseconds(200),
        });

        var answer = await discovery.LookupAsync(CancellationToken.None).WaitAsync(Timeouts.Default);

        Assert.IsNotNull(answer);
        StringAssert.Contains(answer.Error, "timed out", StringComparison.OrdinalIgnoreCase);
    }

    [TestMethod]
    public async Task Lookup_ServerThatIsNotThere_IsAFailureNotAnEmptyAnswer()
    {
        // A port nothing listens on: the query is refused (ICMP port unreachable).
        int port;
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            port = ((IPEndPoint)probe.LocalEndPoint!).Port;
        }

        var discovery = new DnsDiscovery(new DnsDiscoveryOptions { Name = "workers.wool.test", Port = 7070, NameServers = [new IPEndPoint(IPAddress.Loopback, port)], QueryTimeout = TimeSpan.FromMilliseconds(500) });

        var answer = await discovery.LookupAsync(CancellationToken.None).WaitAsync(Timeouts.Default);

        Assert.IsNotNull(answer?.Error, $"{answer?.Workers.Count} workers, ttl {answer?.TimeToLive}");
    }

    [TestMethod]
    public async Task Pool_WithALoggerAndADiscoveryWithout_LogsTheFailingLookupsToThePoolsLogger()
    {
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var logs = new CapturingLoggerProvider();
        using var loggers = Microsoft.Extensions.Logging.LoggerFactory.Create(builder => builder.AddProvider(logs));
        var discovery = new DnsDiscovery(new DnsDiscoveryOptions { Name = "workers.wool.test", Port = 7070, NameServers = [(IPEndPoint)silent.LocalEndPoint!], QueryTimeout = TimeSpan.FromMilliseconds(200) });

        await using var pool = new WorkerPool(discovery: discovery, options: WorkerPoolOptions.Default with { LoggerFactory = loggers });

        await Eventually.WaitUntilAsync(() => Task.FromResult(logs.Messages.Any(m => m.Contains("Looking up workers at 'workers.wool.test' failed", StringComparison.Ordinal))), "the pool's logger has the failed lookup");
    }

    [TestMethod]
    public async Task Call_WhileLookupsFail_FailsNamingTheDiscoveryFailure()
    {
        using var silent = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        silent.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var discovery = new DnsDiscovery(new DnsDiscoveryOptions { Name = "workers.wool.test", Port = 7070, NameServers = [(IPEndPoint)silent.LocalEndPoint!], QueryTimeout = TimeSpan.FromMilliseconds(200) });
        await using var pool = new WorkerPool(discovery: discovery, options: WorkerPoolOptions.Default with { QuorumTimeout = TimeSpan.FromSeconds(2) });

        var error = await Assert.ThrowsExactlyAsync<NoWorkersAvailableException>(() => Wool.Tests.Integration.Discovery.DiscoveryRoutines.Where().WaitAsync(Timeouts.Default));

        StringAssert.Contains(error.Message, "discovery: looking up 'workers.wool.test' failed");
    }

    [TestMethod]
    public async Task Subscribe_AnswerWithMoreAddressesThanMaxWorkers_TakesTheCapAndSaysSo()
    {
        // A DNS server of a few lines (Makaretu's message model): every A query gets five addresses.
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        server.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var stop = new CancellationTokenSource(Timeouts.Default);
        _ = Task.Run(async () =>
        {
            var buffer = new byte[512];
            while (!stop.IsCancellationRequested)
            {
                var received = await server.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), stop.Token);
                var query = new Makaretu.Dns.Message();
                query.Read(buffer, 0, received.ReceivedBytes);
                Makaretu.Dns.Message reply = query.CreateResponse();
                if (query.Questions[0].Type == Makaretu.Dns.DnsType.A)
                {
                    for (int host = 1; host <= 5; host++)
                    {
                        reply.Answers.Add(new Makaretu.Dns.ARecord { Name = query.Questions[0].Name, Address = IPAddress.Parse($"10.0.0.{host}"), TTL = TimeSpan.FromSeconds(1) });
                    }
                }

                await server.SendToAsync(reply.ToByteArray(), received.RemoteEndPoint, stop.Token);
            }
        });
        var logs = new CapturingLoggerProvider();
        using var loggers = Microsoft.Extensions.Logging.LoggerFactory.Create(builder => builder.AddProvider(logs));
        var discovery = new DnsDiscovery(new DnsDiscoveryOptions { Name = "workers.wool.test", Port = 7070, NameServers = [(IPEndPoint)server.LocalEndPoint!], MaxWorkers = 2 }, loggers.CreateLogger("test"));

        var added = new List<string>();
        await foreach (DiscoveryEvent change in discovery.SubscribeAsync(stop.Token))
        {
            added.Add(change.Worker.Address.Authority);
            if (added.Count == 2)
            {
                break;
            }
        }

        CollectionAssert.AreEqual(new[] { "10.0.0.1:7070", "10.0.0.2:7070" }, added);
        Assert.IsTrue(logs.Messages.Any(m => m.Contains("'workers.wool.test' names more workers than the 2 taken (DnsDiscoveryOptions.MaxWorkers): 3 or more are not used", StringComparison.Ordinal)), string.Join(" | ", logs.Messages));
        await stop.CancelAsync();
    }

    [TestMethod]
    public void Parse_DnsDiscovery_NeedsANameAndTakesItFromTheEnvironment()
    {
        var environment = new Dictionary<string, string> { ["WOOL_DISCOVERY"] = "dns", ["WOOL_DNS_NAME"] = "workers.default.svc.cluster.local", ["WOOL_DNS_PORT"] = "7070", ["WOOL_INSECURE_LISTEN_ON_NETWORK"] = "true" };

        WorkerOptions options = WorkerCommandLine.Parse([], environment.GetValueOrDefault);
        var missing = Assert.ThrowsExactly<ArgumentException>(() => WorkerCommandLine.Parse(["--discovery", "dns", "--insecure-listen-on-network"], _ => null));
        var stray = Assert.ThrowsExactly<ArgumentException>(() => WorkerCommandLine.Parse(["--dns-name", "workers.local", "--insecure-listen-on-network"], _ => null));

        var discovery = (DnsDiscovery)options.DiscoveryFactory!(Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        Assert.AreEqual(("workers.default.svc.cluster.local", 7070), (discovery.Options.Name, discovery.Options.Port));
        StringAssert.Contains(missing.Message, "--discovery dns needs --dns-name");
        StringAssert.Contains(stray.Message, "go with --discovery dns");
    }

    [TestMethod]
    public void Parse_StaticPeers_NeedThePeerList()
    {
        WorkerOptions options = WorkerCommandLine.Parse(["--discovery", "static", "--peer", "10.0.0.5:7070", "--peer", "10.0.0.6:7070", "--insecure-listen-on-network"], _ => null);
        var missing = Assert.ThrowsExactly<ArgumentException>(() => WorkerCommandLine.Parse(["--discovery", "static", "--insecure-listen-on-network"], _ => null));

        var discovery = (StaticDiscovery)options.DiscoveryFactory!(Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        Assert.HasCount(2, discovery.Workers);
        StringAssert.Contains(missing.Message, "--peer host:port");
    }

    [TestMethod]
    public void Pool_WithTagsOverADnsName_IsRefusedRatherThanUsingNoWorker()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => new WorkerPool(discovery: new DnsDiscovery("workers.local", 7070), options: WorkerPoolOptions.Default with { Tags = ["gpu"] }));

        StringAssert.Contains(error.Message, "The workers of a DNS name announce no tags");
    }

    private static WorkerInfo Worker(string address) => new($"http://{address}/", new Uri($"http://{address}"), 0);

    private static string[] Describe(List<DiscoveryEvent> changes) => [.. changes.Select(c => $"{c.Kind} {c.Worker.Address.Authority}")];
}
