using System.Globalization;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Wool.Workers.Protocol;

namespace Wool.Tests.Integration.Workers;

/// <summary>
/// Random and mutated frames against a worker's call channel. The worker must never crash, must
/// keep serving, and must not leak threads or memory. Bounded here (300 cases); set
/// WOOL_FUZZ_CASES for a longer run.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class WorkerFuzzTests
{
    [TestMethod]
    public async Task Fuzz_RandomAndMutatedFrames_WorkerNeverCrashesOrLeaks()
    {
        int cases = int.TryParse(Environment.GetEnvironmentVariable("WOOL_FUZZ_CASES"), CultureInfo.InvariantCulture, out int n) ? n : 300;
        await using var pool = new WorkerPool(spawn: 1);
        await pool.WaitForWorkersAsync().WaitAsync(Timeouts.Default);
        WorkerInfo worker = pool.Workers[0];
        Assert.AreNotEqual(0, await WorkerRoutines.ProcessId().WaitAsync(Timeouts.Default));
        (long threadsBefore, long memoryBefore) = Usage(worker.ProcessId);
        byte[] valid = ValidBatch().ToByteArray();
        var random = new Random(1234);
        var raw = new Method<byte[], byte[]>(MethodType.DuplexStreaming, "wool.worker.v1.Worker", "Connect", Marshallers.Create(b => b, b => b), Marshallers.Create(b => b, b => b));
        using var channel = new RawWorkerChannel(pool, worker);
        var headers = new Metadata { { WireProtocol.VersionHeader, WireProtocol.Version.ToString(CultureInfo.InvariantCulture) } };

        for (int i = 0; i < cases; i++)
        {
            byte[] frame = i % 2 == 0 ? Random(random) : Mutate(valid, random);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            using var call = channel.Invoker.AsyncDuplexStreamingCall(raw, null, new CallOptions(headers, cancellationToken: timeout.Token));
            try
            {
                await call.RequestStream.WriteAsync(frame);
                await call.RequestStream.CompleteAsync();
                while (await call.ResponseStream.MoveNext(timeout.Token))
                {
                }
            }
            catch (RpcException)
            {
                // Refusing a frame it cannot decode is the expected answer.
            }
        }

        Assert.IsFalse(WorkerFailureTests.HasExited(worker.ProcessId), "The worker crashed.");
        Assert.AreEqual(worker.ProcessId, await WorkerRoutines.ProcessId().WaitAsync(Timeouts.Default), "The worker must keep serving.");
        await Task.Delay(500);
        (long threadsAfter, long memoryAfter) = Usage(worker.ProcessId);
        Assert.IsLessThan(threadsBefore + 20, threadsAfter, $"Threads grew from {threadsBefore} to {threadsAfter}.");
        Assert.IsLessThan(memoryBefore + (100L << 20), memoryAfter, $"Memory grew from {memoryBefore >> 20} MiB to {memoryAfter >> 20} MiB.");
    }

    private static ClientBatch ValidBatch()
    {
        var batch = new ClientBatch();
        batch.Frames.Add(new ClientFrame
        {
            Id = 1,
            Call = new Call
            {
                Protocol = WireProtocol.Version,
                Assembly = typeof(WorkerRoutines).Assembly.FullName,
                Routine = "System.Threading.Tasks.Task`1<System.Int32> Wool.Tests.Integration.Workers.WorkerRoutines::ProcessId()",
                Payload = ByteString.CopyFrom(0x91, 0xC0),
            },
        });
        batch.Frames.Add(new ClientFrame { Id = 2, Pull = 5 });
        batch.Frames.Add(new ClientFrame { Id = 1, Cancel = true });
        return batch;
    }

    private static byte[] Random(Random random)
    {
        var bytes = new byte[random.Next(1, 512)];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Mutate(byte[] valid, Random random)
    {
        byte[] bytes = (byte[])valid.Clone();
        for (int flips = random.Next(1, 6); flips > 0; flips--)
        {
            bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
        }

        return random.Next(4) == 0 ? bytes[..random.Next(1, bytes.Length)] : bytes;
    }

    private static (long Threads, long Memory) Usage(int processId)
    {
        string[] status = File.ReadAllLines($"/proc/{processId}/status");
        long Value(string key) => long.Parse(status.First(l => l.StartsWith(key, StringComparison.Ordinal)).Split(' ', '\t').Last(p => p.Length > 0 && char.IsDigit(p[0])), CultureInfo.InvariantCulture);
        return (Value("Threads:"), Value("VmRSS:") * 1024);
    }
}
