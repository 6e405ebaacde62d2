using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Wool.Discovery;

namespace Wool.Tests.Integration.Discovery;

/// <summary>
/// A worker's probe port (<c>--health-listen</c>), as Kubernetes' gRPC probes use it: the standard
/// health service without TLS or token, SERVING while the worker takes calls and NOT_SERVING once it
/// drains on SIGTERM; nothing else is served there, and the callers' port still demands the token.
/// </summary>
[TestClass]
public sealed class HealthProbeTests
{
    [TestMethod]
    public async Task ProbePort_WhileServingThenDraining_SaysServingThenNotServing()
    {
        DirectoryInfo secrets = Directory.CreateTempSubdirectory("wool-test-token-");
        try
        {
            string token = Path.Combine(secrets.FullName, "token");
            int probePort = FreePort.Next();
            await using var worker = await DurableWorker.StartAsync("--access-token-file", token, "--listen", $"127.0.0.1:{FreePort.Next()}", "--health-listen", $"127.0.0.1:{probePort}", "--grace-period", "20");
            using var probe = GrpcChannel.ForAddress($"http://127.0.0.1:{probePort}");
            var health = new Health.HealthClient(probe);

            Assert.AreEqual(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest(), deadline: Deadline())).Status);

            await using var pool = new WorkerPool(discovery: new StaticDiscovery(worker.Address.Authority), options: WorkerPoolOptions.Default with { AccessTokenFile = token });
            Assert.AreEqual(worker.ProcessId, await DiscoveryRoutines.Where().WaitAsync(Timeouts.Default), "The pool is connected before the call that will be in flight.");
            Task<int> held = DiscoveryRoutines.Hold(3000);
            await Task.Delay(500);
            using (var term = System.Diagnostics.Process.Start("kill", $"-TERM {worker.ProcessId}"))
            {
                await term.WaitForExitAsync().WaitAsync(Timeouts.Default);
            }

            await Eventually.WaitUntilAsync(
                async () => (await health.CheckAsync(new HealthCheckRequest(), deadline: Deadline())).Status == HealthCheckResponse.Types.ServingStatus.NotServing,
                "the draining worker's probe says NOT_SERVING");
            Assert.IsFalse(held.IsCompleted, "The call in flight is still running while the probe already says NOT_SERVING.");
            Assert.AreEqual(worker.ProcessId, await held.WaitAsync(Timeouts.Default), "The call in flight finishes on the draining worker.");
        }
        finally
        {
            secrets.Delete(recursive: true);
        }
    }

    [TestMethod]
    public async Task ProbePort_ServesOnlyTheCheck_AndTheCallersPortStillDemandsTheToken()
    {
        DirectoryInfo secrets = Directory.CreateTempSubdirectory("wool-test-token-");
        try
        {
            int probePort = FreePort.Next();
            await using var worker = await DurableWorker.StartAsync("--access-token-file", Path.Combine(secrets.FullName, "token"), "--listen", $"127.0.0.1:{FreePort.Next()}", "--health-listen", $"127.0.0.1:{probePort}");
            using var probe = GrpcChannel.ForAddress($"http://127.0.0.1:{probePort}");
            using var callers = GrpcChannel.ForAddress(worker.Address);

            // No stream outlives a probe: Watch is not served on the probe port.
            using var watch = new Health.HealthClient(probe).Watch(new HealthCheckRequest(), deadline: Deadline());
            var refused = await Assert.ThrowsAsync<RpcException>(() => watch.ResponseStream.MoveNext(CancellationToken.None));
            Assert.AreEqual(StatusCode.Unimplemented, refused.StatusCode, refused.Status.Detail);

            // A health request is a few bytes: a larger one is refused, not buffered (the port takes no token).
            var tooLarge = await Assert.ThrowsAsync<RpcException>(async () => await new Health.HealthClient(probe).CheckAsync(new HealthCheckRequest { Service = new string('x', 4096) }, deadline: Deadline()));
            Assert.AreNotEqual(StatusCode.NotFound, tooLarge.StatusCode, "A 4 KB service name must be refused for its size, not looked up.");
            using var again = GrpcChannel.ForAddress($"http://127.0.0.1:{probePort}");
            Assert.AreEqual(HealthCheckResponse.Types.ServingStatus.Serving, (await new Health.HealthClient(again).CheckAsync(new HealthCheckRequest(), deadline: Deadline())).Status);

            // The callers' port serves the health service too, but only to a caller with the token.
            var unauthenticated = await Assert.ThrowsAsync<RpcException>(async () => await new Health.HealthClient(callers).CheckAsync(new HealthCheckRequest(), deadline: Deadline()));
            Assert.AreNotEqual(StatusCode.OK, unauthenticated.StatusCode);
        }
        finally
        {
            secrets.Delete(recursive: true);
        }
    }

    [TestMethod]
    public void CommandLine_ProbePortOnTheCallersPort_IsRefused()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => Wool.Workers.Host.WorkerCommandLine.Parse(
            ["--access-token-file", "/tmp/t", "--listen", "127.0.0.1:7070", "--health-listen", "127.0.0.1:7070"], _ => null));

        StringAssert.Contains(error.Message, "--health-listen expects an address and a fixed port other than --listen's");
    }

    [TestMethod]
    public async Task Worker_WhoseProbePortIsTaken_ExitsWithCode2NamingIt()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;
        string tokenFile = Path.Combine(Path.GetTempPath(), $"wool-test-token-{Guid.NewGuid():N}");
        var start = DurableWorker.StartInfo(null, "--access-token-file", tokenFile, "--listen", $"127.0.0.1:{FreePort.Next()}", "--health-listen", $"127.0.0.1:{port}");

        using var worker = System.Diagnostics.Process.Start(start)!;
        try
        {
            Task<string> errors = worker.StandardError.ReadToEndAsync();
            _ = worker.StandardOutput.ReadToEndAsync();
            await worker.WaitForExitAsync().WaitAsync(Timeouts.Default);

            Assert.AreEqual(2, worker.ExitCode, await errors);
            StringAssert.Contains(await errors, "Could not listen:");
            StringAssert.Contains(await errors, "Choose a free port for --listen or --health-listen.");
        }
        finally
        {
            if (!worker.HasExited)
            {
                worker.Kill();
            }

            File.Delete(tokenFile);
        }
    }

    private static DateTime Deadline() => DateTime.UtcNow + Timeouts.Default;

}
