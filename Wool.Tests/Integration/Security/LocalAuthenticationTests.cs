using System.Net;
using System.Net.Sockets;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Wool.Security;
using Wool.Tests.Integration.Discovery;
using Wool.Tests.Integration.Workers;
using Wool.Workers.Protocol;

namespace Wool.Tests.Integration.Security;

/// <summary>
/// Nobody but its pool runs code on a local worker: spawned workers listen on Unix domain sockets in
/// a folder only their user can enter, check the user at the other end, and require the pool's
/// access token on every RPC; only the owning pool may set their peers or stop them. Attacks come
/// from another uid where the test can run one (root), and from this user without the tokens.
/// </summary>
[TestClass]
[DoNotParallelize]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LocalAuthenticationTests
{
    [TestMethod]
    public async Task SpawnedWorker_OtherLocalUser_CannotEvenReachItsSocket()
    {
        OtherUser.RequireRoot();
        await using var pool = new WorkerPool(spawn: 1);
        await pool.WaitForWorkersAsync().WaitAsync(Timeouts.Default);
        WorkerInfo worker = pool.Workers[0];

        // Even with the token (say it leaked), the folder keeps another user from the socket.
        Dictionary<string, string> outcomes = await OtherUser.AttackAsync("rpc", worker.Address.ToString(), pool.Spawned!.AccessToken.Text);

        Assert.AreEqual("unix", worker.Address.Scheme);
        foreach (string rpc in new[] { "call", "peers", "status", "stop" })
        {
            Assert.AreEqual("socket-AccessDenied", outcomes[rpc], $"{rpc}: {string.Join(", ", outcomes)}");
        }

        Assert.AreEqual(worker.ProcessId, await WorkerRoutines.ProcessId().WaitAsync(Timeouts.Default));
    }

    [TestMethod]
    public async Task SpawnedWorker_SocketFolderOpenedByMistake_OtherUserIsStillRefusedByTheKernelCheck()
    {
        OtherUser.RequireRoot();
        var log = new CapturingLoggerProvider();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(log));
        await using var pool = new WorkerPool(spawn: 1, options: WorkerPoolOptions.Default with { LoggerFactory = loggers });
        await pool.WaitForWorkersAsync().WaitAsync(Timeouts.Default);
        WorkerInfo worker = pool.Workers[0];
        string socket = worker.Address.AbsolutePath;
        string folder = Path.GetDirectoryName(socket)!;
        File.SetUnixFileMode(folder, (UnixFileMode)0x1FF);
        File.SetUnixFileMode(socket, (UnixFileMode)0x1FF);
        foreach (string parent in Parents(folder))
        {
            File.SetUnixFileMode(parent, File.GetUnixFileMode(parent) | UnixFileMode.OtherExecute);
        }

        try
        {
            Dictionary<string, string> outcomes = await OtherUser.AttackAsync("rpc", worker.Address.ToString(), pool.Spawned!.AccessToken.Text);

            Assert.IsTrue(outcomes.Values.All(o => o != "ok"), string.Join(", ", outcomes));
            await Eventually.WaitUntilAsync(() => log.Messages.Any(m => m.Contains($"Refused a connection from user {OtherUser.Id}", StringComparison.Ordinal)));
            Assert.AreEqual(worker.ProcessId, await WorkerRoutines.ProcessId().WaitAsync(Timeouts.Default));
        }
        finally
        {
            foreach (string parent in Parents(folder))
            {
                File.SetUnixFileMode(parent, File.GetUnixFileMode(parent) & ~UnixFileMode.OtherExecute);
            }
        }

        IEnumerable<string> Parents(string path)
        {
            // From this user's private base down to the pool's folder.
            for (string? p = Path.GetDirectoryName(path); p is not null && p.StartsWith(PrivateFolder.Base, StringComparison.Ordinal); p = Path.GetDirectoryName(p))
            {
                yield return p;
            }
        }
    }

    [TestMethod]
    public async Task SpawnedWorker_CallerWithoutTheAccessToken_EveryRpcIsRefused()
    {
        await using var pool = new WorkerPool(spawn: 1);
        await pool.WaitForWorkersAsync().WaitAsync(Timeouts.Default);
        WorkerInfo worker = pool.Workers[0];
        using var outsider = new RawWorkerChannel(pool, worker, accessToken: false, ownerToken: false);
        var client = new Worker.WorkerClient(outsider.Invoker);
        var headers = new Metadata { { WireProtocol.VersionHeader, WireProtocol.Version.ToString(System.Globalization.CultureInfo.InvariantCulture) } };

        using var connect = client.Connect(headers);
        var refusedCall = await Assert.ThrowsAsync<RpcException>(() => connect.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Timeouts.Default));
        var refusedStatus = await Assert.ThrowsAsync<RpcException>(() => client.StatusAsync(new Ack(), headers).ResponseAsync.WaitAsync(Timeouts.Default));
        var refusedStop = await Assert.ThrowsAsync<RpcException>(() => client.StopAsync(new StopRequest(), headers).ResponseAsync.WaitAsync(Timeouts.Default));

        Assert.AreEqual(StatusCode.Unauthenticated, refusedCall.StatusCode);
        Assert.AreEqual(StatusCode.Unauthenticated, refusedStatus.StatusCode);
        Assert.AreEqual(StatusCode.Unauthenticated, refusedStop.StatusCode);
        Assert.AreEqual(worker.ProcessId, await WorkerRoutines.ProcessId().WaitAsync(Timeouts.Default), "A refused stop must not stop the worker.");
    }

    [TestMethod]
    public async Task SpawnedWorker_ForgedPeerListFromACallerThatIsNotItsOwner_IsIgnored()
    {
        await using var pool = new WorkerPool(spawn: 2);
        await pool.WaitForWorkersAsync().WaitAsync(Timeouts.Default);
        using var fake = new TcpListener(IPAddress.Loopback, 0);
        fake.Start();
        int dialled = 0;
        _ = Task.Run(async () =>
        {
            while (true)
            {
                using Socket accepted = await fake.AcceptSocketAsync();
                Interlocked.Increment(ref dialled);
            }
        });
        string fakeAddress = $"http://127.0.0.1:{((IPEndPoint)fake.LocalEndpoint).Port}";

        // An insider without the owner token (a peer worker, or code that stole the access token).
        foreach (WorkerInfo worker in pool.Workers)
        {
            using var insider = new RawWorkerChannel(pool, worker, accessToken: true, ownerToken: false);
            using var call = new Worker.WorkerClient(insider.Invoker).Connect(new Metadata { { WireProtocol.VersionHeader, WireProtocol.Version.ToString(System.Globalization.CultureInfo.InvariantCulture) } });
            var peers = new PeerList { Peers = { new Peer { Id = "fake", Address = fakeAddress, ProcessId = 1 } } };
            await call.RequestStream.WriteAsync(new ClientBatch { Frames = { new ClientFrame { Peers = peers } } }).WaitAsync(Timeouts.Default);
            await call.RequestStream.CompleteAsync().WaitAsync(Timeouts.Default);
            while (await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Timeouts.Default))
            {
            }

            var stop = await Assert.ThrowsAsync<RpcException>(() => new Worker.WorkerClient(insider.Invoker).StopAsync(new StopRequest()).ResponseAsync.WaitAsync(Timeouts.Default));
            Assert.AreEqual(StatusCode.PermissionDenied, stop.StatusCode);
        }

        (int value, int[] processes) = await WorkerRoutines.Fibonacci(8).WaitAsync(Timeouts.Default);

        Assert.AreEqual(21, value);
        CollectionAssert.IsSubsetOf(processes.Distinct().ToArray(), pool.Workers.Select(w => w.ProcessId).ToArray(), "Nested calls must stay on the pool's own workers.");
        Assert.AreEqual(0, dialled, "A worker dialled the forged peer.");
    }

    [TestMethod]
    public async Task LoopbackWorker_OtherLocalUserWithoutTheToken_EveryRpcIsRefused()
    {
        OtherUser.RequireRoot();
        DirectoryInfo secrets = Directory.CreateTempSubdirectory("wool-test-token-");
        try
        {
            string token = Path.Combine(secrets.FullName, "token");
            await using var durable = await DurableWorker.StartAsync("--listen", "127.0.0.1:0", "--access-token-file", token);

            Dictionary<string, string> outcomes = await OtherUser.AttackAsync("rpc", durable.Address.ToString());

            foreach (string rpc in new[] { "call", "peers", "status", "stop" })
            {
                Assert.AreEqual("Unauthenticated", outcomes[rpc], $"{rpc}: {string.Join(", ", outcomes)}");
            }

            await using var pool = new WorkerPool(discovery: new ListDiscovery(durable), options: WorkerPoolOptions.Default with { AccessTokenFile = token });
            Assert.AreEqual(durable.ProcessId, await DiscoveryRoutines.Where().WaitAsync(Timeouts.Default), "The worker must still serve its own user.");
        }
        finally
        {
            secrets.Delete(recursive: true);
        }
    }
}
