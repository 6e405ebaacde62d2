using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Wool.Tests.Integration.Workers;

namespace Wool.Tests.Integration.Hosting;

/// <summary>
/// <c>services.AddWool()</c> in a Generic Host of this process: configuration binding and its
/// validation errors, the pool's lifetime with the host's, and the health check through a worker's
/// death and replacement. The pool is the process's application pool, so these tests run alone.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class AddWoolTests
{
    [TestMethod]
    [DataRow("--Wool:Spawn=-1", "Wool:Spawn is -1")]
    [DataRow("--Wool:Discovery=bogus", "Wool:Discovery is 'bogus'; use none, local, lan, etcd, static or dns")]
    [DataRow("--Wool:Discovery=etcd --Wool:Namespace=prod", "Wool:EtcdEndpoints: EtcdDiscoveryOptions.Endpoints is empty")]
    [DataRow("--Wool:Discovery=local", "Wool:Namespace is required with Wool:Discovery 'local'")]
    [DataRow("--Wool:Discovery=static", "Wool:Workers: A static list of workers needs at least one address (host:port). It lists the workers of Wool:Discovery 'static'.")]
    [DataRow("--Wool:Discovery=static --Wool:Workers:0=10.0.0.5", "Wool:Workers: '10.0.0.5' is not a worker address: write host:port")]
    [DataRow("--Wool:Discovery=static --Wool:Workers:0=10.0.0.5:7070 --Wool:Tags:0=gpu", "Wool:Tags select workers by the tags they announce, and the workers of static discovery announce none")]
    [DataRow("--Wool:Discovery=dns", "Wool:Dns:Name is required with Wool:Discovery 'dns'")]
    [DataRow("--Wool:Discovery=dns --Wool:Dns:Name=workers.default.svc.cluster.local --Wool:Dns:Port=70000", "Wool:Dns: DnsDiscoveryOptions.Port is 70000")]
    [DataRow("--Wool:Discovery=dns --Wool:Dns:Name=workers.local --Wool:Dns:Servers:0=10.96.0.10", "Wool:Dns: '10.96.0.10' is not a DNS server's address and port")]
    [DataRow("--Wool:Lease=2", "Wool: Lease and Tags select discovered workers; this pool has no discovery")]
    [DataRow("--Wool:Tls:Certificate=/nonexistent.pem", "Wool:Tls:Authority is required with TLS")]
    public async Task Start_WithInvalidConfiguration_FailsNamingTheSetting(string arguments, string expected)
    {
        using IHost host = Build(arguments.Split(' '));

        var error = await Assert.ThrowsExactlyAsync<OptionsValidationException>(() => host.StartAsync().WaitAsync(Timeouts.Default));

        StringAssert.Contains(error.Message, expected);
        Assert.IsNull(RoutinePool.Application);
    }

    [TestMethod]
    public async Task Host_StartedFromConfiguration_ServesCallsAndStopsItsWorkers()
    {
        var logs = new CapturingLoggerProvider();
        using IHost host = Build(["--Wool:Spawn=2", "--Wool:ShutdownGracePeriod=00:00:02"], logs);
        await host.StartAsync().WaitAsync(Timeouts.Default);
        WorkerPool pool = host.Services.GetRequiredService<WorkerPool>();
        int[] workers = [.. pool.Workers.Select(w => w.ProcessId)];

        int ranOn = await Task.Run(() => WorkerRoutines.ProcessId()).WaitAsync(Timeouts.Default);

        Assert.AreEqual(2, pool.Size);
        Assert.AreSame(pool, RoutinePool.Application);
        CollectionAssert.Contains(workers, ranOn);
        await host.StopAsync().WaitAsync(Timeouts.Default);
        Assert.IsNull(RoutinePool.Application);
        foreach (int worker in workers)
        {
            await Eventually.WaitUntilAsync(() => WorkerFailureTests.HasExited(worker));
        }

        Assert.IsFalse(logs.Messages.Any(m => m.Contains("killed it", StringComparison.Ordinal)), "Idle workers must exit when asked, not be killed:\n" + string.Join("\n", logs.Messages));
    }

    [TestMethod]
    public async Task ApplicationStopping_CallInFlight_IsCancelledAfterTheGracePeriodWithoutWaitingForTheHostToStop()
    {
        using IHost host = Build(["--Wool:Spawn=1", "--Wool:ShutdownGracePeriod=00:00:01"]);
        await host.StartAsync().WaitAsync(Timeouts.Default);
        string marker = Path.Combine(Path.GetTempPath(), $"wool-stopping-{Guid.NewGuid():N}");
        try
        {
            Task<int> call = Task.Run(() => WorkerRoutines.WaitWithMarkers(marker, 60_000, CancellationToken.None));
            await WorkerPoolTests.WaitForFileAsync(marker + ".started");
            var watch = Stopwatch.StartNew();

            // What ASP.NET Core does first on SIGTERM, before it drains requests and stops hosted services.
            host.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

            await Assert.ThrowsAsync<OperationCanceledException>(() => call.WaitAsync(Timeouts.Default));
            Assert.IsLessThan(8_000, watch.ElapsedMilliseconds, "The call must be cancelled after the grace period, not run to its end.");
            Assert.IsTrue(File.Exists(marker + ".finally"), "The routine's finally block runs on the worker.");
        }
        finally
        {
            await host.StopAsync().WaitAsync(Timeouts.Default);
            File.Delete(marker + ".started");
            File.Delete(marker + ".finally");
        }
    }

    [TestMethod]
    public async Task HealthCheck_WorkerKilled_DegradedWithTheReasonThenHealthyAgain()
    {
        using IHost host = Build(["--Wool:Spawn=2"]);
        await host.StartAsync().WaitAsync(Timeouts.Default);
        HealthCheckService health = host.Services.GetRequiredService<HealthCheckService>();
        WorkerPool pool = host.Services.GetRequiredService<WorkerPool>();
        Assert.AreEqual(HealthStatus.Healthy, (await health.CheckHealthAsync().WaitAsync(Timeouts.Default)).Status);

        Process.GetProcessById(pool.Workers[0].ProcessId).Kill();
        HealthReportEntry degraded = default;
        await Eventually.WaitUntilAsync(async () => (degraded = (await health.CheckHealthAsync()).Entries["wool"]).Status == HealthStatus.Degraded, "the pool reports a missing worker");

        StringAssert.Contains(degraded.Description, "1 workers serve; 1 of the 2 spawned are being replaced.");
        StringAssert.Contains(degraded.Description, "is being replaced");
        await Eventually.WaitUntilAsync(async () => (await health.CheckHealthAsync()).Status == HealthStatus.Healthy, "the pool has recovered its size");
        await host.StopAsync().WaitAsync(Timeouts.Default);
    }

    private static IHost Build(string[] args, CapturingLoggerProvider? logs = null)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, DisableDefaults = true });
        builder.Configuration.AddCommandLine(args);
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        builder.Services.AddWool();
        return builder.Build();
    }
}
