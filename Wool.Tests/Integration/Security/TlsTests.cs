using Microsoft.Extensions.Logging;
using Wool.Discovery;
using Wool.Security;
using Wool.Tests.Integration.Discovery;
using Wool.Workers.Host;

namespace Wool.Tests.Integration.Security;

/// <summary>TLS and mutual TLS between pools and workers, with real worker processes and throwaway authorities.</summary>
[TestClass]
[DoNotParallelize]
public sealed class TlsTests
{
    private static string NewNamespace() => $"tls-{Guid.NewGuid():N}";

    [TestMethod]
    public async Task SpawnedPool_WithMutualTls_RunsRoutinesAndNestedCallsOverTls()
    {
        using var authority = new TestAuthority();
        var credentials = authority.Credentials("pool");
        await using var pool = new WorkerPool(spawn: 2, options: WorkerPoolOptions.Default with { Credentials = credentials });

        int[] processes = await DiscoveryRoutines.Spread(2).WaitAsync(Timeouts.Default);

        Assert.HasCount(7, processes);
        Assert.IsTrue(pool.Workers.All(w => w.Secure), string.Join(", ", pool.Workers));
        CollectionAssert.IsSubsetOf(processes.Distinct().ToArray(), pool.Workers.Select(w => w.ProcessId).ToArray());
    }

    [TestMethod]
    public async Task SpawnedPool_WithOneWayTls_RunsRoutines()
    {
        using var authority = new TestAuthority();
        await using var pool = new WorkerPool(spawn: 1, options: WorkerPoolOptions.Default with { Credentials = authority.Credentials("pool", mutual: false) });

        int process = await DiscoveryRoutines.Where().WaitAsync(Timeouts.Default);

        Assert.AreEqual(pool.Workers.Single().ProcessId, process);
        Assert.IsTrue(pool.Workers.Single().Secure);
    }

    [TestMethod]
    public async Task SpawnedPool_CertificateWithoutTheWorkerIdentity_FailsToStartWithIdentityMismatch()
    {
        using var authority = new TestAuthority();
        var credentials = authority.Credentials("pool", identity: "another-name");
        await using var pool = new WorkerPool(spawn: 1, options: WorkerPoolOptions.Default with { Credentials = credentials });

        var error = await Assert.ThrowsExactlyAsync<WorkerAuthenticationException>(() => pool.WaitForWorkersAsync().WaitAsync(Timeouts.Default));

        Assert.AreEqual(AuthenticationFailure.IdentityMismatch, error.Failure);
        StringAssert.Contains(error.Message, "'another-name'");
        await Assert.ThrowsExactlyAsync<WorkerAuthenticationException>(() => DiscoveryRoutines.Where().WaitAsync(Timeouts.Default));
    }

    [TestMethod]
    public async Task DiscoveryPool_WithAndWithoutCredentials_UsesOnlyWorkersOfItsKind()
    {
        using var authority = new TestAuthority();
        string ns = NewNamespace();
        await using var secure = await DurableWorker.StartAsync(["--discovery", "local", "--namespace", ns, .. authority.WorkerArguments(authority.Issue("worker"))]);
        await using var plain = await DurableWorker.StartAsync("--discovery", "local", "--namespace", ns);

        await using (var pool = new WorkerPool(discovery: new LocalDiscovery(ns), options: WorkerPoolOptions.Default with { Credentials = authority.Credentials("pool") }))
        {
            HashSet<int> used = [.. await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => DiscoveryRoutines.Where())).WaitAsync(Timeouts.Default)];
            CollectionAssert.AreEquivalent(new[] { secure.ProcessId }, used.ToArray());
            Assert.AreEqual(secure.ProcessId, pool.Workers.Single().ProcessId);
        }

        await using (var pool = new WorkerPool(discovery: new LocalDiscovery(ns)))
        {
            HashSet<int> used = [.. await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => DiscoveryRoutines.Where())).WaitAsync(Timeouts.Default)];
            CollectionAssert.AreEquivalent(new[] { plain.ProcessId }, used.ToArray());
        }
    }

    [TestMethod]
    public async Task Worker_FromAnUntrustedAuthority_IsSkippedWithUntrustedAuthority()
    {
        using var trusted = new TestAuthority("Trusted Authority");
        using var stranger = new TestAuthority("Stranger Authority");
        var error = await RefusedAsync(
            trusted.Credentials("pool"),
            stranger.WorkerArguments(stranger.Issue("worker")));

        Assert.AreEqual(AuthenticationFailure.UntrustedAuthority, error.Failure);
        StringAssert.Contains(error.Message, "Stranger Authority");
    }

    [TestMethod]
    public async Task WorkerImpersonator_HoldingACallerCertificateThatNamesTheWorkerIdentity_IsRefusedAsWrongRole()
    {
        using var authority = new TestAuthority();
        // The authority issued this to a caller; even naming the worker identity, it cannot serve as one.
        var error = await RefusedAsync(
            authority.CallerCredentials("pool"),
            authority.WorkerArguments(authority.IssueCaller("impersonator", dnsName: TestAuthority.WorkerIdentity)));

        Assert.AreEqual(AuthenticationFailure.WrongRole, error.Failure);
        StringAssert.Contains(error.Message, "lacks serverAuth");
    }

    [TestMethod]
    public async Task DiscoveryPool_WithACallerCertificate_RunsRoutinesOnTlsWorkers()
    {
        using var authority = new TestAuthority();
        string ns = NewNamespace();
        await using var worker = await DurableWorker.StartAsync(["--discovery", "local", "--namespace", ns, .. authority.WorkerArguments(authority.Issue("worker"))]);
        await using var pool = new WorkerPool(discovery: new LocalDiscovery(ns), options: WorkerPoolOptions.Default with { Credentials = authority.CallerCredentials("app") });

        Assert.AreEqual(worker.ProcessId, await DiscoveryRoutines.Where().WaitAsync(Timeouts.Default));
    }

    [TestMethod]
    public async Task Worker_WithAnotherIdentity_IsSkippedWithIdentityMismatch()
    {
        using var authority = new TestAuthority();
        var error = await RefusedAsync(
            authority.Credentials("pool"),
            authority.WorkerArguments(authority.Issue("worker", dnsName: "impostor")),
            workerLogs: "closed before any request: the caller may have refused this worker's certificate");

        Assert.AreEqual(AuthenticationFailure.IdentityMismatch, error.Failure);
        StringAssert.Contains(error.Message, "'impostor'");
        StringAssert.Contains(error.Message, $"'{TestAuthority.WorkerIdentity}'");
    }

    [TestMethod]
    public async Task Worker_WithAnExpiredCertificate_IsSkippedWithExpired()
    {
        using var authority = new TestAuthority();
        var expired = authority.Issue("worker", notBefore: DateTimeOffset.UtcNow.AddDays(-3), notAfter: DateTimeOffset.UtcNow.AddDays(-1));
        var error = await RefusedAsync(authority.Credentials("pool"), authority.WorkerArguments(expired), workerLogs: "closed before any request");

        Assert.AreEqual(AuthenticationFailure.Expired, error.Failure);
    }

    [TestMethod]
    public async Task MutualTlsWorker_CallerWithoutCertificate_IsRefusedAndTheWorkerLogsIt()
    {
        using var authority = new TestAuthority();
        var oneWay = WorkerCredentials.FromPemFiles(authority.AuthorityFile, null, null, mutual: false, TestAuthority.WorkerIdentity);
        string ns = NewNamespace();
        await using var worker = await DurableWorker.StartAsync(["--discovery", "local", "--namespace", ns, .. authority.WorkerArguments(authority.Issue("worker"))]);

        var error = await RefusedAsync(oneWay, ns);

        Assert.AreEqual(AuthenticationFailure.ClientCertificateRejected, error.Failure);
        StringAssert.Contains(error.Message, "requires mutual TLS");
        StringAssert.Contains(await worker.WaitForLogAsync("Refused a TLS connection"), "presented no certificate");
    }

    [TestMethod]
    public async Task MutualTlsWorker_CallerCertificateFromAnotherAuthority_IsRefusedAndTheWorkerLogsIt()
    {
        using var authority = new TestAuthority();
        using var stranger = new TestAuthority("Stranger Authority");
        // The caller trusts the worker's authority, but its own certificate comes from another one.
        var (certificate, key) = stranger.Issue("caller");
        var caller = WorkerCredentials.FromPemFiles(authority.AuthorityFile, certificate, key, mutual: true, TestAuthority.WorkerIdentity);
        string ns = NewNamespace();
        await using var worker = await DurableWorker.StartAsync(["--discovery", "local", "--namespace", ns, .. authority.WorkerArguments(authority.Issue("worker"))]);

        var error = await RefusedAsync(caller, ns);

        Assert.AreEqual(AuthenticationFailure.ClientCertificateRejected, error.Failure);
        StringAssert.Contains(error.Message, "CN=caller");
        StringAssert.Contains(await worker.WaitForLogAsync("Refused a TLS connection"), "Stranger Authority");
    }

    [TestMethod]
    public async Task MutualTlsWorker_WithCallerIdentities_AdmitsListedCallersAndItsPeersOnly()
    {
        using var authority = new TestAuthority();
        string ns = NewNamespace();
        await using var worker = await DurableWorker.StartAsync(
            ["--discovery", "local", "--namespace", ns, .. authority.WorkerArguments(authority.Issue("worker")), "--tls-worker-identity", TestAuthority.WorkerIdentity, "--tls-caller-identity", "wool-caller"]);
        var (listedCertificate, listedKey) = authority.IssueCaller("listed");
        var listed = WorkerCredentials.FromPemFiles(authority.AuthorityFile, listedCertificate, listedKey, workerIdentity: TestAuthority.WorkerIdentity);

        await using (var pool = new WorkerPool(discovery: new LocalDiscovery(ns), options: WorkerPoolOptions.Default with { Credentials = listed }))
        {
            // Nested calls go from the worker to its peers (itself here), with the worker's own
            // certificate: the worker identity is always an allowed caller.
            int[] processes = await DiscoveryRoutines.Spread(1).WaitAsync(Timeouts.Default);
            Assert.IsTrue(processes.All(p => p == worker.ProcessId), string.Join(", ", processes));
        }

        var (otherCertificate, otherKey) = authority.IssueCaller("other", dnsName: "someone-else");
        var unlisted = WorkerCredentials.FromPemFiles(authority.AuthorityFile, otherCertificate, otherKey, workerIdentity: TestAuthority.WorkerIdentity);
        var error = await RefusedAsync(unlisted, ns);

        Assert.AreEqual(AuthenticationFailure.ClientCertificateRejected, error.Failure);
        StringAssert.Contains(await worker.WaitForLogAsync("not the expected caller identity"), "'someone-else'");
    }

    [TestMethod]
    public void FromPemFiles_CallerIdentitiesWithOneWayTls_ThrowsArgumentException()
    {
        using var authority = new TestAuthority();
        var (certificate, key) = authority.Issue("worker");

        var error = Assert.ThrowsExactly<ArgumentException>(() => WorkerCredentials.FromPemFiles(authority.AuthorityFile, certificate, key, mutual: false, callerIdentities: ["wool-caller"]));

        StringAssert.Contains(error.Message, "only with mutual TLS");
    }

    [TestMethod]
    public async Task PlainWorker_AnnouncedAsTls_FailsTheHandshakeAndIsSkipped()
    {
        using var authority = new TestAuthority();
        string ns = NewNamespace();
        await using var plain = await DurableWorker.StartAsync("--discovery", "local", "--namespace", ns);

        // Discovery is only a hint: a worker claiming TLS must still complete the handshake.
        var error = await RefusedAsync(authority.Credentials("pool"), new ClaimsTls(new LocalDiscovery(ns)));

        Assert.AreEqual(AuthenticationFailure.HandshakeFailed, error.Failure);
        StringAssert.Contains(error.Message, "did not complete a TLS handshake");
    }

    [TestMethod]
    public void WorkerOptions_TlsOnANetworkAddress_IsAllowedWithoutTheInsecureOptIn()
    {
        using var authority = new TestAuthority();
        var options = WorkerOptions.Parse(["--listen", "10.213.0.1:0", .. authority.WorkerArguments(authority.Issue("worker"))]);

        Assert.IsNotNull(options.Credentials);
        Assert.IsTrue(options.Credentials.Mutual);
        Assert.IsFalse(options.InsecureNetwork);
    }

    [TestMethod]
    public void WorkerOptions_TlsWithTheInsecureOptIn_IsRefused()
    {
        using var authority = new TestAuthority();
        var error = Assert.ThrowsExactly<ArgumentException>(() => WorkerOptions.Parse([.. authority.WorkerArguments(authority.Issue("worker")), "--insecure-listen-on-network"]));

        StringAssert.Contains(error.Message, "contradicts the TLS options");
    }

    [TestMethod]
    public void WorkerOptions_CertificateWithoutKey_IsRefusedNamingAllThree()
    {
        using var authority = new TestAuthority();
        var error = Assert.ThrowsExactly<ArgumentException>(() => WorkerOptions.Parse(["--tls-authority", authority.AuthorityFile, "--tls-certificate", authority.Issue("worker").Certificate]));

        StringAssert.Contains(error.Message, "--tls-authority, --tls-certificate and --tls-key");
    }

    [TestMethod]
    public void FromPemFiles_KeyOfAnotherCertificate_ThrowsArgumentExceptionNamingTheFiles()
    {
        using var authority = new TestAuthority();
        var (certificate, _) = authority.Issue("one");
        var (_, otherKey) = authority.Issue("two");

        var error = Assert.ThrowsExactly<ArgumentException>(() => WorkerCredentials.FromPemFiles(authority.AuthorityFile, certificate, otherKey));

        StringAssert.Contains(error.Message, certificate);
        StringAssert.Contains(error.Message, otherKey);
    }

    [TestMethod]
    public void FromPemFiles_MutualWithoutCertificate_ThrowsArgumentException()
    {
        using var authority = new TestAuthority();

        var error = Assert.ThrowsExactly<ArgumentException>(() => WorkerCredentials.FromPemFiles(authority.AuthorityFile, null, null, mutual: true));

        StringAssert.Contains(error.Message, "mutual: false");
    }

    [TestMethod]
    public void FromPemFiles_AuthorityFileWithoutCertificates_ThrowsArgumentException()
    {
        using var authority = new TestAuthority();
        string empty = Path.Combine(authority.Folder, "empty.pem");
        File.WriteAllText(empty, "not a certificate");

        var error = Assert.ThrowsExactly<ArgumentException>(() => WorkerCredentials.FromPemFiles(empty, null, null, mutual: false));

        StringAssert.Contains(error.Message, "holds no certificate");
    }

    [TestMethod]
    public void SpawningPool_CredentialsWithoutCertificate_ThrowsArgumentException()
    {
        using var authority = new TestAuthority();
        var verifyOnly = WorkerCredentials.FromPemFiles(authority.AuthorityFile, null, null, mutual: false);

        var error = Assert.ThrowsExactly<ArgumentException>(() => new WorkerPool(spawn: 1, options: WorkerPoolOptions.Default with { Credentials = verifyOnly }));

        StringAssert.Contains(error.Message, "have no certificate");
    }

    /// <summary>Starts a durable TLS worker with <paramref name="workerArguments"/>, and returns what a pool with <paramref name="credentials"/> makes of it.</summary>
    private static async Task<WorkerAuthenticationException> RefusedAsync(WorkerCredentials credentials, string[] workerArguments, string? workerLogs = null)
    {
        string ns = NewNamespace();
        await using var worker = await DurableWorker.StartAsync(["--discovery", "local", "--namespace", ns, .. workerArguments]);
        var refused = await RefusedAsync(credentials, ns);
        if (workerLogs is not null)
        {
            await worker.WaitForLogAsync(workerLogs);
        }

        return refused;
    }

    private static Task<WorkerAuthenticationException> RefusedAsync(WorkerCredentials credentials, string ns)
        => RefusedAsync(credentials, new LocalDiscovery(ns));

    /// <summary>A call through a pool whose only worker fails authentication: it fails at once, typed, and the pool logs the skip.</summary>
    private static async Task<WorkerAuthenticationException> RefusedAsync(WorkerCredentials credentials, IWorkerDiscovery discovery)
    {
        var log = new CapturingLoggerProvider();
        using var loggers = Microsoft.Extensions.Logging.LoggerFactory.Create(b => b.AddProvider(log));
        await using var pool = new WorkerPool(discovery: discovery, options: WorkerPoolOptions.Default with { Credentials = credentials, LoggerFactory = loggers });

        var error = await Assert.ThrowsExactlyAsync<NoWorkersAvailableException>(() => DiscoveryRoutines.Where().WaitAsync(Timeouts.Default));

        Assert.IsEmpty(pool.Workers, "A worker that failed authentication must never be used.");
        Assert.IsTrue(log.Messages.Any(m => m.Contains("Skipped worker", StringComparison.Ordinal)), string.Join(Environment.NewLine, log.Messages));
        return Assert.IsInstanceOfType<WorkerAuthenticationException>(error.InnerException, error.ToString());
    }

    /// <summary>A discovery that announces every worker as serving TLS, whatever it serves.</summary>
    private sealed class ClaimsTls(IWorkerDiscovery inner) : IWorkerDiscovery
    {
        public ValueTask<IWorkerRegistration> PublishAsync(WorkerInfo worker, CancellationToken cancellationToken) => inner.PublishAsync(worker, cancellationToken);

        public async IAsyncEnumerable<DiscoveryEvent> SubscribeAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await foreach (DiscoveryEvent change in inner.SubscribeAsync(cancellationToken))
            {
                yield return change with { Worker = change.Worker with { Secure = true } };
            }
        }
    }
}
