using System.Threading.Channels;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Wool.Routines;
using Wool.Tests.Workers.InMemory;
using Wool.Workers.Host;
using Wool.Workers.Protocol;

namespace Wool.Tests.Workers.Host;

/// <summary>A caller whose bytes do not decode loses its own connection, and only that: its calls are cancelled, the worker keeps serving.</summary>
[TestClass]
public sealed class MalformedFrameTests
{
    [TestMethod]
    public async Task RunAsync_FrameThatDoesNotDecode_CancelsTheCallsAndEndsWithInvalidArgument()
    {
        await using var worker = new InMemoryWorker();
        var session = new WorkerSession(worker.Runtime, NullLogger.Instance);
        string key = Guid.NewGuid().ToString("N");
        RoutineRequest waiting = TestRunner.Capture(() => InMemoryRoutines.WaitForCancellation(key, CancellationToken.None));
        var requests = new GarbageAfter(new ClientBatch { Frames = { WireProtocol.ToFrame(1, waiting, streaming: false) } });
        var responses = new Replies();

        var error = await Assert.ThrowsAsync<RpcException>(() => session.RunAsync(requests, responses, CancellationToken.None).WaitAsync(Timeouts.Default));

        Assert.AreEqual(StatusCode.InvalidArgument, error.StatusCode);
        StringAssert.Contains(error.Status.Detail, "could not decode a frame");
        // Cancelled, the routine ends and is counted out.
        await Eventually.WaitUntilAsync(() => InMemoryRoutines.Finished.ContainsKey(key) && worker.Runtime.InFlight == 0);
    }

    [TestMethod]
    public async Task RunAsync_AfterAnotherCallerSentGarbage_StillServes()
    {
        await using var worker = new InMemoryWorker();
        var broken = new WorkerSession(worker.Runtime, NullLogger.Instance);
        await Assert.ThrowsAsync<RpcException>(() => broken.RunAsync(new GarbageAfter(null), new Replies(), CancellationToken.None).WaitAsync(Timeouts.Default));

        TestRunner.Use(worker.Connect());

        Assert.AreEqual(5, await InMemoryRoutines.Add(2, 3).WaitAsync(Timeouts.Default));
    }

    /// <summary>Yields one well-formed batch (if any), then fails as gRPC does on bytes that are not a batch.</summary>
    private sealed class GarbageAfter(ClientBatch? first) : IAsyncStreamReader<ClientBatch>
    {
        private bool _sent = first is null;

        public ClientBatch Current { get; private set; } = null!;

        public Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            if (!_sent)
            {
                _sent = true;
                Current = first!;
                return Task.FromResult(true);
            }

            // A real decoding failure, not a stand-in.
            Current = ClientBatch.Parser.ParseFrom([0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x01]);
            return Task.FromResult(true);
        }
    }

    private sealed class Replies : IServerStreamWriter<ServerBatch>
    {
        private readonly Channel<ServerBatch> _written = Channel.CreateUnbounded<ServerBatch>();

        public WriteOptions? WriteOptions { get; set; }

        public Task WriteAsync(ServerBatch message) => _written.Writer.WriteAsync(message).AsTask();
    }
}
