using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Wool.Routines;
using Wool.Tests.Workers.InMemory;
using Wool.Workers.Client;
using Wool.Workers.Protocol;

namespace Wool.Tests.Workers.Client;

/// <summary>
/// A caller's link to one worker, tested in memory: results and exceptions through the woven path,
/// routine numbers on the wire, a worker lost mid-call, a worker that never answered, a refusal,
/// and a dispatch deadline the worker does not meet.
/// </summary>
[TestClass]
public sealed class WorkerLinkTests
{
    [TestMethod]
    public async Task InvokeAsync_Routine_ReturnsItsResult()
    {
        await using var worker = new InMemoryWorker();
        await using WorkerLink link = worker.Connect();
        TestRunner.Use(link);

        Assert.AreEqual(7, await InMemoryRoutines.Add(3, 4).WaitAsync(Timeouts.Default));
    }

    [TestMethod]
    public async Task InvokeAsync_RoutineThrows_CallerGetsItsException()
    {
        await using var worker = new InMemoryWorker();
        await using WorkerLink link = worker.Connect();
        TestRunner.Use(link);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => InMemoryRoutines.Fail("boom").WaitAsync(Timeouts.Default));

        Assert.AreEqual("boom", error.Message);
    }

    [TestMethod]
    public async Task InvokeAsync_SameRoutineTwice_NamedOnceThenSentByNumber()
    {
        await using var worker = new InMemoryWorker();
        await using WorkerLink link = worker.Connect(out InProcessCallInvoker wire);
        TestRunner.Use(link);

        await InMemoryRoutines.Add(1, 1).WaitAsync(Timeouts.Default);
        await InMemoryRoutines.Add(2, 2).WaitAsync(Timeouts.Default);

        Call[] calls = [.. wire.Sent.SelectMany(b => b.Frames).Where(f => f.KindCase == ClientFrame.KindOneofCase.Call).Select(f => f.Call)];
        Assert.HasCount(2, calls);
        Assert.AreNotEqual(0u, calls[0].RoutineRef);
        Assert.AreNotEqual("", calls[0].Assembly, "The first call must name the routine.");
        Assert.AreEqual(calls[0].RoutineRef, calls[1].RoutineRef);
        Assert.AreEqual("", calls[1].Assembly, "A numbered routine must travel by number only.");
        Assert.IsLessThan(calls[0].CalculateSize(), calls[1].CalculateSize());
    }

    [TestMethod]
    public async Task InvokeAsync_ConnectionRefused_RejectedTransientlyBecauseNothingRan()
    {
        var nowhere = new WorkerInfo("gone", new Uri("http://in-process/gone"), 0);
        await using WorkerLink link = new InMemoryDialer().Dial(nowhere, credentials: null);
        RoutineRequest request = TestRunner.Capture(() => InMemoryRoutines.Add(1, 2));
        await Assert.ThrowsAsync<RpcException>(() => link.Established.WaitAsync(Timeouts.Default));

        var error = await Assert.ThrowsAsync<CallRejectedException>(() => link.InvokeAsync(request, CancellationToken.None).WaitAsync(Timeouts.Default));

        Assert.IsTrue(error.Transient, error.Message);
    }

    [TestMethod]
    public async Task InvokeAsync_WorkerRefusesTheCall_RejectionCarriesItsReason()
    {
        await using var worker = new InMemoryWorker();
        await using WorkerLink link = worker.Connect();
        RoutineRequest request = TestRunner.Capture(() => InMemoryRoutines.Add(1, 2));
        await using var held = await worker.StopWhileBusyAsync();

        var error = await Assert.ThrowsAsync<CallRejectedException>(() => link.InvokeAsync(request, CancellationToken.None).WaitAsync(Timeouts.Default));

        Assert.IsTrue(error.Transient);
        StringAssert.Contains(error.Message, "the worker is stopping");
    }

    [TestMethod]
    public async Task InvokeAsync_DispatchTimeoutAndSilentWorker_RejectedTransientlyAndCancelSent()
    {
        var silent = new SilentWorker();
        var invoker = new InProcessCallInvoker(silent);
        await using var link = new WorkerLink(new WorkerInfo("silent", new Uri("http://in-process/silent"), 0), NullLogger.Instance, invoker);
        RoutineRequest request;
        using (WoolContext.DispatchTimeout(TimeSpan.FromMilliseconds(100)))
        {
            request = TestRunner.Capture(() => InMemoryRoutines.Add(1, 2));
        }

        var error = await Assert.ThrowsAsync<CallRejectedException>(() => link.InvokeAsync(request, CancellationToken.None).WaitAsync(Timeouts.Default));

        Assert.IsTrue(error.Transient);
        StringAssert.Contains(error.Message, "within the dispatch timeout");
        await silent.WaitForAsync(f => f.KindCase == ClientFrame.KindOneofCase.Cancel);
    }

    [TestMethod]
    public async Task OpenStream_Items_ArriveInOrderAndTheStreamEnds()
    {
        await using var worker = new InMemoryWorker();
        await using WorkerLink link = worker.Connect();
        TestRunner.Use(link);
        var items = new List<int>();

        await foreach (int item in InMemoryRoutines.Counted(Guid.NewGuid().ToString("N"), 5).WithCancellation(new CancellationTokenSource(Timeouts.Default).Token))
        {
            items.Add(item);
        }

        CollectionAssert.AreEqual(new[] { 0, 1, 2, 3, 4 }, items);
    }

    [TestMethod]
    public async Task OpenStream_ConnectionBreaksMidStream_FailsWithWorkerLostAndDisposesQuietly()
    {
        await using var worker = new InMemoryWorker();
        await using WorkerLink link = worker.Connect(out InProcessCallInvoker wire);
        IAsyncEnumerator<int> items = await OpenWithOneItemAsync(link);

        wire.Sever();

        await Assert.ThrowsExactlyAsync<WorkerLostException>(() => items.MoveNextAsync().AsTask().WaitAsync(Timeouts.Default));
        await items.DisposeAsync().AsTask().WaitAsync(Timeouts.Default);
    }

    [TestMethod]
    public async Task OpenStream_BrokenWhileDisposing_DisposeReturnsQuietly()
    {
        await using var worker = new InMemoryWorker();
        await using WorkerLink link = worker.Connect(out InProcessCallInvoker wire);
        IAsyncEnumerator<int> items = await OpenWithOneItemAsync(link);
        // The close goes out, then the connection breaks before the worker confirms it.
        wire.Sever();

        await items.DisposeAsync().AsTask().WaitAsync(Timeouts.Default);
    }

    [TestMethod]
    public async Task InvokeAsync_ConnectionBreaksMidCall_FailsWithWorkerLost()
    {
        await using var worker = new InMemoryWorker();
        await using WorkerLink link = worker.Connect(out InProcessCallInvoker wire);
        TestRunner.Use(link);
        string key = Guid.NewGuid().ToString("N");
        Task<int> call = InMemoryRoutines.WaitForCancellation(key, CancellationToken.None);
        await Eventually.WaitUntilAsync(() => worker.Runtime.InFlight == 1);

        wire.Sever();

        await Assert.ThrowsExactlyAsync<WorkerLostException>(() => call.WaitAsync(Timeouts.Default));
        // The worker cancels the calls of a caller it lost.
        await Eventually.WaitUntilAsync(() => InMemoryRoutines.Finished.ContainsKey(key));
    }

    [TestMethod]
    [DataRow(false, DisplayName = "as value frames")]
    [DataRow(true, DisplayName = "in one items frame")]
    public async Task OpenStream_WorkerSendsMoreItemsThanGranted_StreamEndsAndKeepsNone(bool batched)
    {
        var flooding = new FloodingWorker(batched);
        await using var link = new WorkerLink(new WorkerInfo("flood", new Uri("http://in-process/flood"), 0), NullLogger.Instance, new InProcessCallInvoker(flooding));
        TestRunner.Use(link);
        await using IAsyncEnumerator<int> items = InMemoryRoutines.Counted(Guid.NewGuid().ToString("N"), 10).GetAsyncEnumerator();

        var error = await Assert.ThrowsExactlyAsync<WorkerLostException>(async () =>
        {
            while (await items.MoveNextAsync().AsTask().WaitAsync(Timeouts.Default))
            {
            }
        });

        StringAssert.Contains(error.Message, "sent more items");
    }

    /// <summary>Opens a long stream over <paramref name="link"/> and pulls its first item.</summary>
    private static async Task<IAsyncEnumerator<int>> OpenWithOneItemAsync(WorkerLink link)
    {
        TestRunner.Use(link);
        IAsyncEnumerator<int> items = InMemoryRoutines.Counted(Guid.NewGuid().ToString("N"), 100).GetAsyncEnumerator();
        Assert.IsTrue(await items.MoveNextAsync().AsTask().WaitAsync(Timeouts.Default));
        return items;
    }

    /// <summary>A worker that answers a stream's first pull with far more items than it was granted.</summary>
    private sealed class FloodingWorker(bool batched) : Worker.WorkerBase
    {
        public override async Task Connect(IAsyncStreamReader<ClientBatch> requestStream, IServerStreamWriter<ServerBatch> responseStream, ServerCallContext context)
        {
            await context.WriteResponseHeadersAsync([new Metadata.Entry(WireProtocol.AcceptedHeader, "1")]);
            while (await requestStream.MoveNext(context.CancellationToken))
            {
                foreach (ClientFrame frame in requestStream.Current.Frames.Where(f => f.KindCase == ClientFrame.KindOneofCase.OpenStream))
                {
                    var flood = new ServerBatch();
                    var items = new StreamItems();
                    for (int i = 0; i < 100; i++)
                    {
                        var item = Google.Protobuf.ByteString.CopyFrom(Wool.Serialization.WoolSerializer.Serialize(i));
                        if (batched)
                        {
                            items.Values.Add(item);
                        }
                        else
                        {
                            flood.Frames.Add(new ServerFrame { Id = frame.Id, Value = item });
                        }
                    }

                    if (batched)
                    {
                        flood.Frames.Add(new ServerFrame { Id = frame.Id, Items = items });
                    }

                    await responseStream.WriteAsync(flood);
                }
            }
        }
    }

    [TestMethod]
    public async Task CodeRequest_ForABuildNeverSentOnTheLink_IsRefusedWithoutSendingAFile()
    {
        var asking = new AskingWorker(typeof(WorkerLink).Module.ModuleVersionId);
        await using var link = new WorkerLink(new WorkerInfo("asking", new Uri("http://in-process/asking"), 0), NullLogger.Instance, new InProcessCallInvoker(asking));

        CodeChunk answer = await asking.Answer.WaitAsync(Timeouts.Default);

        // Wool is loaded here, and the worker named its build; but no call of that build went to it.
        StringAssert.Contains(answer.Error, "sent no call of build");
        Assert.IsTrue(answer.Last);
        Assert.AreEqual(0, answer.Data.Length);
    }

    /// <summary>A worker that asks its caller for an assembly of a build as soon as it connects, and keeps the answer.</summary>
    private sealed class AskingWorker(Guid build) : Worker.WorkerBase
    {
        private readonly TaskCompletionSource<CodeChunk> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<CodeChunk> Answer => _answer.Task;

        public override async Task Connect(IAsyncStreamReader<ClientBatch> requestStream, IServerStreamWriter<ServerBatch> responseStream, ServerCallContext context)
        {
            await context.WriteResponseHeadersAsync([new Metadata.Entry(WireProtocol.AcceptedHeader, "1")]);
            var request = new CodeRequest { Assembly = "Wool", Build = Google.Protobuf.ByteString.CopyFrom(build.ToByteArray()) };
            await responseStream.WriteAsync(new ServerBatch { Frames = { new ServerFrame { Id = 7, CodeRequest = request } } });
            while (await requestStream.MoveNext(context.CancellationToken))
            {
                if (requestStream.Current.Frames.FirstOrDefault(f => f.Id == 7 && f.KindCase == ClientFrame.KindOneofCase.Code) is { } frame)
                {
                    _answer.TrySetResult(frame.Code);
                }
            }
        }
    }

    /// <summary>A worker that accepts the connection and then never answers a frame.</summary>
    private sealed class SilentWorker : Worker.WorkerBase
    {
        private readonly System.Threading.Channels.Channel<ClientFrame> _seen = System.Threading.Channels.Channel.CreateUnbounded<ClientFrame>();

        public override async Task Connect(IAsyncStreamReader<ClientBatch> requestStream, IServerStreamWriter<ServerBatch> responseStream, ServerCallContext context)
        {
            await context.WriteResponseHeadersAsync([new Metadata.Entry(WireProtocol.AcceptedHeader, "1")]);
            try
            {
                while (await requestStream.MoveNext(context.CancellationToken))
                {
                    foreach (ClientFrame frame in requestStream.Current.Frames)
                    {
                        _seen.Writer.TryWrite(frame);
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        public async Task WaitForAsync(Func<ClientFrame, bool> match)
        {
            using var timeout = new CancellationTokenSource(Timeouts.Default);
            while (!match(await _seen.Reader.ReadAsync(timeout.Token)))
            {
            }
        }
    }
}
