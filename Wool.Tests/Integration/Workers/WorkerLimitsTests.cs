using System.Globalization;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Wool.Routines;
using Wool.Tests.Workers.InMemory;
using Wool.Workers.Protocol;

namespace Wool.Tests.Integration.Workers;

/// <summary>
/// No caller can grow a worker without bound: a caller that never reads its replies stops being
/// read, connections beyond the cap are closed, and the memory of large messages is given back.
/// Each refusal is logged, and the worker keeps serving its pool; memory is measured before and after.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class WorkerLimitsTests
{
    [TestMethod]
    public async Task Caller_NotReadingItsReplies_IsHeldBackAndTheWorkerStaysSmall()
    {
        var log = new CapturingLoggerProvider();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(log));
        await using var pool = new WorkerPool(spawn: 1, options: WorkerPoolOptions.Default with { LoggerFactory = loggers });
        await pool.WaitForWorkersAsync().WaitAsync(Timeouts.Default);
        WorkerInfo worker = pool.Workers[0];
        Assert.AreEqual(worker.ProcessId, await WorkerRoutines.ProcessId().WaitAsync(Timeouts.Default));
        long before = Rss(worker.ProcessId);
        RoutineRequest request = TestRunner.Capture(() => SizeRoutines.MakeKilobytes(64));

        // 6,000 calls of 64 KiB results (375 MiB), and not one reply read.
        using var greedy = new RawWorkerChannel(pool, worker);
        using var call = new Worker.WorkerClient(greedy.Invoker).Connect(new Metadata { { WireProtocol.VersionHeader, WireProtocol.Version.ToString(CultureInfo.InvariantCulture) } });
        Task sending = Task.Run(async () =>
        {
            for (ulong id = 1; id <= 6000; id += 100)
            {
                var batch = new ClientBatch();
                for (ulong n = id; n < id + 100; n++)
                {
                    batch.Frames.Add(WireProtocol.ToFrame(n, request, streaming: false));
                }

                await call.RequestStream.WriteAsync(batch);
            }
        });
        // Held back one way or the other: its requests are no longer read, or its calls are refused.
        await Eventually.WaitUntilAsync(() => log.Messages.Any(m => m.Contains("is not reading its replies", StringComparison.Ordinal) || m.Contains("its most calls open on this worker", StringComparison.Ordinal)));
        await Task.Delay(1000);
        long held = Rss(worker.ProcessId);

        Assert.IsLessThan(before + (150L << 20), held, $"The worker grew from {before >> 20} MiB to {held >> 20} MiB.");
        Assert.AreEqual(worker.ProcessId, await WorkerRoutines.ProcessId().WaitAsync(Timeouts.Default), "The worker must keep serving its pool.");
    }

    [TestMethod]
    public async Task Connections_BeyondTheWorkersCap_AreClosedAndLogged()
    {
        var log = new CapturingLoggerProvider();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(log));
        await using var pool = new WorkerPool(spawn: 1, options: WorkerPoolOptions.Default with { LoggerFactory = loggers, Limits = WorkerLimits.Default with { MaxConnections = 4 } });
        await pool.WaitForWorkersAsync().WaitAsync(Timeouts.Default);
        WorkerInfo worker = pool.Workers[0];
        Assert.AreEqual(worker.ProcessId, await WorkerRoutines.ProcessId().WaitAsync(Timeouts.Default));
        var channels = new List<RawWorkerChannel>();
        int refused = 0;
        try
        {
            for (int i = 0; i < 8; i++)
            {
                var channel = new RawWorkerChannel(pool, worker);
                channels.Add(channel);
                try
                {
                    await new Worker.WorkerClient(channel.Invoker).StatusAsync(new Ack()).ResponseAsync.WaitAsync(Timeouts.Default);
                }
                catch (RpcException)
                {
                    refused++;
                }
            }
        }
        finally
        {
            channels.ForEach(c => c.Dispose());
        }

        Assert.IsGreaterThanOrEqualTo(4, refused, "Past the cap, every connection must be closed.");
        Assert.IsTrue(log.Messages.Any(m => m.Contains("serves at most 4 connections", StringComparison.Ordinal)), string.Join(Environment.NewLine, log.Messages));
        Assert.AreEqual(worker.ProcessId, await WorkerRoutines.ProcessId().WaitAsync(Timeouts.Default), "The pool's own connection must keep working.");
    }

    [TestMethod]
    public async Task IdleConnectionsThatNeverAuthenticate_TakeNoServedPlace_AndAreClosed()
    {
        DirectoryInfo secrets = Directory.CreateTempSubdirectory("wool-test-token-");
        var idle = new List<System.Net.Sockets.Socket>();
        try
        {
            string token = Path.Combine(secrets.FullName, "token");
            await using var durable = await Discovery.DurableWorker.StartAsync("--listen", "127.0.0.1:0", "--access-token-file", token, "--max-connections", "2");

            // Anyone who can reach the port: more idle connections than the worker serves, first.
            for (int i = 0; i < 6; i++)
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                await socket.ConnectAsync(durable.Address.Host, durable.Address.Port).WaitAsync(Timeouts.Default);
                idle.Add(socket);
            }

            await using var pool = new WorkerPool(discovery: new Discovery.ListDiscovery(durable), options: WorkerPoolOptions.Default with { AccessTokenFile = token });
            Assert.AreEqual(durable.ProcessId, await Discovery.DiscoveryRoutines.Where().WaitAsync(Timeouts.Default), "Idle connections must not take the places of callers that authenticate.");
            StringAssert.Contains(await durable.WaitForLogAsync("did not authenticate within"), "10 s");
        }
        finally
        {
            idle.ForEach(s => s.Dispose());
            secrets.Delete(recursive: true);
        }
    }

    [TestMethod]
    public async Task LargeMessages_OnceTheyStop_TheirMemoryIsGivenBack()
    {
        await using var pool = new WorkerPool(spawn: 1, options: WorkerPoolOptions.Default with { Limits = WorkerLimits.Default with { MaxMessageSize = 64 * 1024 * 1024 } });
        await pool.WaitForWorkersAsync().WaitAsync(Timeouts.Default);
        WorkerInfo worker = pool.Workers[0];
        Assert.AreEqual(worker.ProcessId, await WorkerRoutines.ProcessId().WaitAsync(Timeouts.Default));
        long idle = Rss(worker.ProcessId);

        for (int i = 0; i < 8; i++)
        {
            Assert.HasCount(48 * 1024 * 1024, await SizeRoutines.Make(48).WaitAsync(Timeouts.Default));
            Assert.AreEqual(48 * 1024 * 1024, await SizeRoutines.Length(new byte[48 * 1024 * 1024]).WaitAsync(Timeouts.Default));
        }

        long peak = Rss(worker.ProcessId);
        await Eventually.WaitUntilAsync(() => Rss(worker.ProcessId) < idle + (100L << 20));

        Assert.IsGreaterThan(idle + (100L << 20), peak, $"The test must have grown the worker (idle {idle >> 20} MiB, peak {peak >> 20} MiB).");
    }

    [TestMethod]
    public async Task RoutineThatAllocatedMuch_OnceTheWorkerIsIdle_ItsMemoryIsGivenBack()
    {
        await using var pool = new WorkerPool(spawn: 1);
        await pool.WaitForWorkersAsync().WaitAsync(Timeouts.Default);
        WorkerInfo worker = pool.Workers[0];
        Assert.AreEqual(worker.ProcessId, await WorkerRoutines.ProcessId().WaitAsync(Timeouts.Default));
        long idle = Rss(worker.ProcessId);

        // Small messages, a large heap: only the routine's own allocations grow the worker.
        Assert.AreEqual(512, await SizeRoutines.Churn(512).WaitAsync(Timeouts.Default));
        long peak = Rss(worker.ProcessId);
        await Eventually.WaitUntilAsync(() => Rss(worker.ProcessId) < idle + (100L << 20));

        Assert.IsGreaterThan(idle + (400L << 20), peak, $"The test must have grown the worker (idle {idle >> 20} MiB, peak {peak >> 20} MiB).");
    }

    private static long Rss(int processId)
        => long.Parse(File.ReadAllLines($"/proc/{processId}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Split(' ', '\t').Last(p => p.Length > 0 && char.IsDigit(p[0])), CultureInfo.InvariantCulture) * 1024;
}
