using Microsoft.Extensions.Logging;
using Wool.Discovery;
using Wool.Security;
using Wool.Tests.Integration.Discovery;

namespace Wool.Tests.Integration.Security;

/// <summary>Long-running workers and pools adopt rotated certificate files without a restart.</summary>
[TestClass]
[DoNotParallelize]
public sealed class CredentialRotationTests
{
    [TestMethod]
    public async Task RotateToANewAuthority_WorkerThenPool_NewCallsUseItAndInFlightCallsFinish()
    {
        using var before = new TestAuthority("Authority Before");
        using var after = new TestAuthority("Authority After");
        string workerFolder = Directory.CreateTempSubdirectory("wool-worker-tls-").FullName;
        string poolFolder = Directory.CreateTempSubdirectory("wool-pool-tls-").FullName;
        try
        {
            var workerFiles = Install(before, "worker", workerFolder);
            var poolFiles = Install(before, "pool", poolFolder);
            string ns = $"rotation-{Guid.NewGuid():N}";
            await using var worker = await DurableWorker.StartAsync("--discovery", "local", "--namespace", ns, "--tls-authority", workerFiles.Authority, "--tls-certificate", workerFiles.Certificate, "--tls-key", workerFiles.Key);

            var log = new CapturingLoggerProvider();
            using var loggers = LoggerFactory.Create(b => b.AddProvider(log));
            var credentials = WorkerCredentials.FromPemFiles(poolFiles.Authority, poolFiles.Certificate, poolFiles.Key, workerIdentity: TestAuthority.WorkerIdentity, rotationDelay: TimeSpan.FromMilliseconds(200));
            await using var pool = new WorkerPool(discovery: new LocalDiscovery(ns), options: WorkerPoolOptions.Default with { Credentials = credentials, LoggerFactory = loggers });
            Assert.AreEqual(worker.ProcessId, await DiscoveryRoutines.Where().WaitAsync(Timeouts.Default));
            string release = Path.Combine(poolFolder, "release");
            Task<int> inFlight = SecurityRoutines.WaitForFile(release);

            // The worker first: it serves the new certificate and trusts only the new authority from
            // its next connection on, while the pool's open connection keeps working.
            Install(after, "worker", workerFolder);
            await worker.WaitForLogAsync("Adopted rotated credentials");
            Assert.AreEqual(worker.ProcessId, await DiscoveryRoutines.Where().WaitAsync(Timeouts.Default));

            // Then the pool: it trusts only the new authority, so the new connection proves both sides rotated.
            Install(after, "pool", poolFolder);
            await WaitForAsync(() => log.Messages.Any(m => m.Contains("new calls use the rotated credentials", StringComparison.Ordinal)));
            Assert.AreEqual(worker.ProcessId, await DiscoveryRoutines.Where().WaitAsync(Timeouts.Default));
            Assert.AreEqual(credentials.Current.Fingerprint, WorkerCredentials.FromPemFiles(poolFiles.Authority, poolFiles.Certificate, poolFiles.Key).Current.Fingerprint);

            Assert.IsFalse(inFlight.IsCompleted);
            await File.WriteAllTextAsync(release, "");
            Assert.AreEqual(worker.ProcessId, await inFlight.WaitAsync(Timeouts.Default), "The call in flight during the rotation finishes on the old connection.");

            // A pool still holding the old authority is now refused: the worker really moved.
            await using (var old = new WorkerPool(discovery: new LocalDiscovery(ns), options: WorkerPoolOptions.Default with { Credentials = before.Credentials("stale") }))
            {
                var error = await Assert.ThrowsExactlyAsync<NoWorkersAvailableException>(() => DiscoveryRoutines.Where().WaitAsync(Timeouts.Default));
                Assert.AreEqual(AuthenticationFailure.UntrustedAuthority, Assert.IsInstanceOfType<WorkerAuthenticationException>(error.InnerException).Failure);
            }
        }
        finally
        {
            Directory.Delete(workerFolder, recursive: true);
            Directory.Delete(poolFolder, recursive: true);
        }
    }

    [TestMethod]
    public async Task RefusedWorker_PoolRotatesToTrustItsAuthority_IsUsedWithoutARestart()
    {
        using var before = new TestAuthority("Authority Before");
        using var after = new TestAuthority("Authority After");
        string poolFolder = Directory.CreateTempSubdirectory("wool-pool-tls-").FullName;
        try
        {
            var poolFiles = Install(before, "pool", poolFolder);
            string ns = $"rotation-{Guid.NewGuid():N}";
            await using var worker = await DurableWorker.StartAsync(["--discovery", "local", "--namespace", ns, .. after.WorkerArguments(after.Issue("worker"))]);
            var credentials = WorkerCredentials.FromPemFiles(poolFiles.Authority, poolFiles.Certificate, poolFiles.Key, workerIdentity: TestAuthority.WorkerIdentity, rotationDelay: TimeSpan.FromMilliseconds(200));
            await using var pool = new WorkerPool(discovery: new LocalDiscovery(ns), options: WorkerPoolOptions.Default with { Credentials = credentials });
            var refused = await Assert.ThrowsExactlyAsync<NoWorkersAvailableException>(() => DiscoveryRoutines.Where().WaitAsync(Timeouts.Default));
            Assert.AreEqual(AuthenticationFailure.UntrustedAuthority, Assert.IsInstanceOfType<WorkerAuthenticationException>(refused.InnerException).Failure);

            Install(after, "pool", poolFolder);

            // The worker never re-announced itself: the rotation alone makes the pool dial it again.
            using var timeout = new CancellationTokenSource(Timeouts.Default);
            int? ranOn = null;
            while (ranOn is null)
            {
                try
                {
                    ranOn = await DiscoveryRoutines.Where().WaitAsync(Timeouts.Default);
                }
                catch (NoWorkersAvailableException)
                {
                    await Task.Delay(100, timeout.Token);
                }
            }

            Assert.AreEqual(worker.ProcessId, ranOn);
            Assert.AreEqual(worker.ProcessId, pool.Workers.Single().ProcessId);
        }
        finally
        {
            Directory.Delete(poolFolder, recursive: true);
        }
    }

    [TestMethod]
    public async Task HalfWrittenRotation_KeyNotMatchingCertificate_KeepsThePreviousCredentials()
    {
        using var authority = new TestAuthority();
        var (certificate, key) = authority.Issue("pool");
        var credentials = WorkerCredentials.FromPemFiles(authority.AuthorityFile, certificate, key, rotationDelay: TimeSpan.FromMilliseconds(100));
        string before = credentials.Current.Fingerprint;
        var failures = new List<Exception>();
        using var subscription = credentials.Subscribe(_ => { }, e => { lock (failures) { failures.Add(e); } });

        // A new certificate whose key has not been written yet.
        var (next, _) = authority.Issue("next");
        File.Copy(next, certificate, overwrite: true);
        await WaitForAsync(() => { lock (failures) { return failures.Count > 0; } });

        Assert.AreEqual(before, credentials.Current.Fingerprint);
        lock (failures)
        {
            StringAssert.Contains(failures[0].Message, "cannot be loaded together");
        }
    }

    [TestMethod]
    public void Subscribe_FolderGone_SaysRotationIsOffAndKeepsTheCredentials()
    {
        var authority = new TestAuthority();
        var credentials = authority.Credentials("pool");
        string before = credentials.Current.Fingerprint;
        authority.Dispose();
        var failures = new List<Exception>();

        using var subscription = credentials.Subscribe(_ => { }, failures.Add);

        StringAssert.Contains(Assert.ContainsSingle(failures).Message, "rotated files will not be picked up");
        Assert.AreEqual(before, credentials.Current.Fingerprint);
    }

    private static (string Authority, string Certificate, string Key) Install(TestAuthority authority, string stem, string folder)
    {
        var (certificate, key) = authority.Issue(stem);
        var installed = (Path.Combine(folder, "ca.pem"), Path.Combine(folder, "tls.pem"), Path.Combine(folder, "tls.key"));
        File.Copy(authority.AuthorityFile, installed.Item1, overwrite: true);
        File.Copy(certificate, installed.Item2, overwrite: true);
        File.Copy(key, installed.Item3, overwrite: true);
        return installed;
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Timeouts.Default);
        while (!condition())
        {
            await Task.Delay(50, timeout.Token);
        }
    }
}
