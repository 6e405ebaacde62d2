using System.Net.Sockets;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Wool.Routines;
using Wool.Serialization;
using Wool.Workers.Protocol;

namespace Wool.Tests.Integration.Workers;

/// <summary>
/// A worker's port faces whatever reaches it: garbage, malformed frames, calls it cannot serve,
/// callers of another protocol version. Each gets a clear refusal; the worker keeps serving.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class WorkerProtocolTests
{
    private const string ProcessIdRoutine = "System.Threading.Tasks.Task`1<System.Int32> Wool.Tests.Integration.Workers.WorkerRoutines::ProcessId()";

    [TestMethod]
    public async Task GarbageBytes_SentToWorkerPort_WorkerKeepsServing()
    {
        WorkerPool pool = await SharedWorkerPool.UseAsync();
        WorkerInfo target = pool.Workers[0];
        var random = new Random(42);

        for (int i = 0; i < 5; i++)
        {
            using var client = await RawWorkerChannel.ConnectSocketAsync(target);
            var garbage = new byte[4096];
            random.NextBytes(garbage);
            if (i % 2 == 1)
            {
                // A valid HTTP/2 preface, then nonsense frames.
                byte[] preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();
                preface.CopyTo(garbage, 0);
            }

            await client.SendAsync(garbage).WaitAsync(Timeouts.Default);
        }

        await AssertStillServesAsync(pool, target);
    }

    [TestMethod]
    public async Task MalformedProtobufFrame_OnCallChannel_FailsThatStreamOnly()
    {
        WorkerPool pool = await SharedWorkerPool.UseAsync();
        WorkerInfo target = pool.Workers[0];
        using var channel = new RawWorkerChannel(pool, target);
        var rawConnect = new Method<byte[], byte[]>(MethodType.DuplexStreaming, "wool.worker.v1.Worker", "Connect", Marshallers.Create(b => b, b => b), Marshallers.Create(b => b, b => b));
        using var call = channel.Invoker.AsyncDuplexStreamingCall(rawConnect, null, new CallOptions(ProtocolHeaders()));

        await call.RequestStream.WriteAsync([0xFF, 0xFF, 0xFF, 0x01, 0x02, 0x03]).WaitAsync(Timeouts.Default);
        await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Timeouts.Default));

        await AssertStillServesAsync(pool, target);
    }

    [TestMethod]
    public async Task CallWithUndecodablePayload_ReturnsTypedExceptionNamingRoutine()
    {
        WorkerPool pool = await SharedWorkerPool.UseAsync();
        ServerFrame reply = await CallAsync(pool, pool.Workers[0], new Call { Protocol = WireProtocol.Version, Assembly = TestAssembly, Routine = ProcessIdRoutine, Payload = ByteString.CopyFrom(0xC1, 0x00, 0xFF) });

        Assert.AreEqual(ServerFrame.KindOneofCase.Exception, reply.KindCase);
        Exception error = DecodeException(reply);
        Assert.IsInstanceOfType<WoolSerializationException>(error);
        StringAssert.Contains(error.Message, "Could not receive the call of routine");
        await AssertStillServesAsync(pool, pool.Workers[0]);
    }

    [TestMethod]
    public async Task CallOfUnknownRoutineOrAssembly_ReturnsRoutineNotFoundAndAnotherBuildIsRefused()
    {
        WorkerPool pool = await SharedWorkerPool.UseAsync();

        ServerFrame unknownRoutine = await CallAsync(pool, pool.Workers[0], new Call { Protocol = WireProtocol.Version, Assembly = TestAssembly, Routine = "System.Void Nowhere::Nothing()" });
        ServerFrame unknownAssembly = await CallAsync(pool, pool.Workers[0], new Call { Protocol = WireProtocol.Version, Assembly = "Not.There, Version=1.0.0.0, Culture=neutral, PublicKeyToken=null", Routine = ProcessIdRoutine });
        ServerFrame otherBuild = await CallAsync(pool, pool.Workers[0], new Call { Protocol = WireProtocol.Version, Assembly = TestAssembly, Routine = ProcessIdRoutine, ModuleVersionId = ByteString.CopyFrom(Guid.NewGuid().ToByteArray()) });

        StringAssert.Contains(DecodeException(unknownRoutine).Message, "is not defined in assembly");
        StringAssert.Contains(DecodeException(unknownAssembly).Message, "is not one of the application's assemblies");
        Assert.IsTrue(new[] { unknownRoutine, unknownAssembly }.All(r => DecodeException(r) is RoutineNotFoundException));
        // Another build of a known assembly: not an error but "not a candidate", naming this worker's build (a rolling deploy).
        Assert.AreEqual(ServerFrame.KindOneofCase.Rejected, otherBuild.KindCase);
        Assert.IsTrue(otherBuild.Rejected.Transient, "Another worker, of the caller's build, may take the call.");
        Guid build = typeof(WorkerRoutines).Module.ModuleVersionId;
        Assert.AreEqual(build, new Guid(otherBuild.Rejected.Build.Span));
        StringAssert.Contains(otherBuild.Rejected.Reason, $"it runs build {build.ToString("N")[..8]}… of {typeof(WorkerRoutines).Assembly.GetName().Name}");
    }

    [TestMethod]
    public async Task CallOfAnotherProtocolVersion_IsRefusedAndDoesNotRun()
    {
        WorkerPool pool = await SharedWorkerPool.UseAsync();

        ServerFrame reply = await CallAsync(pool, pool.Workers[0], new Call { Protocol = 999, Assembly = TestAssembly, Routine = ProcessIdRoutine });

        Assert.AreEqual(ServerFrame.KindOneofCase.Rejected, reply.KindCase);
        Assert.IsFalse(reply.Rejected.Transient);
        StringAssert.Contains(reply.Rejected.Reason, $"the caller speaks Wool protocol 999; this worker speaks version {WireProtocol.Version}");
    }

    [TestMethod]
    public async Task ConnectionOfAnotherProtocolVersion_IsRefusedWithClearStatus()
    {
        WorkerPool pool = await SharedWorkerPool.UseAsync();
        using var channel = new RawWorkerChannel(pool, pool.Workers[0]);
        using var call = new Worker.WorkerClient(channel.Invoker).Connect(new Metadata { { WireProtocol.VersionHeader, "999" } });

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Timeouts.Default));

        Assert.AreEqual(StatusCode.FailedPrecondition, error.StatusCode);
        StringAssert.Contains(error.Status.Detail, $"The caller speaks Wool protocol 999; this worker speaks version {WireProtocol.Version}");
    }

    [TestMethod]
    public async Task OversizedArgumentAndResult_FailThatCallOnly_ConnectionKeepsServing()
    {
        WorkerPool pool = await SharedWorkerPool.UseAsync();

        // The default limit is gRPC's: 4 MiB a message.
        var tooBig = await Assert.ThrowsExactlyAsync<WoolSerializationException>(() => SizeRoutines.Length(new byte[5 * 1024 * 1024]).WaitAsync(Timeouts.Default));
        var tooBigResult = await Assert.ThrowsExactlyAsync<WoolSerializationException>(() => SizeRoutines.Make(5).WaitAsync(Timeouts.Default));
        int fits = await SizeRoutines.Length(new byte[3 * 1024 * 1024]).WaitAsync(Timeouts.Default);

        StringAssert.Contains(tooBig.Message, "The call of routine 'SizeRoutines.Length' is 5");
        StringAssert.Contains(tooBig.Message, "over the 4 MiB a message may carry (WorkerLimits.MaxMessageSize, --max-message-size)");
        StringAssert.Contains(tooBig.Message, "stream it");
        StringAssert.Contains(tooBigResult.Message, "The result of routine 'SizeRoutines.Make' is 5");
        Assert.AreEqual(3 * 1024 * 1024, fits);
        await AssertStillServesAsync(pool, pool.Workers[0]);
    }

    [TestMethod]
    public async Task MessageLimit_RaisedOnThePool_CarriesLargerCallsAndResults()
    {
        await using var pool = new WorkerPool(spawn: 1, options: WorkerPoolOptions.Default with { Limits = WorkerLimits.Default with { MaxMessageSize = 48 * 1024 * 1024 } });

        int length = await SizeRoutines.Length(new byte[40 * 1024 * 1024]).WaitAsync(Timeouts.Default);
        byte[] made = await SizeRoutines.Make(40).WaitAsync(Timeouts.Default);

        Assert.AreEqual(40 * 1024 * 1024, length);
        Assert.HasCount(40 * 1024 * 1024, made);
    }

    private static string TestAssembly => typeof(WorkerRoutines).Assembly.FullName!;

    private static Metadata ProtocolHeaders() => new() { { WireProtocol.VersionHeader, WireProtocol.Version.ToString(System.Globalization.CultureInfo.InvariantCulture) } };

    [TestMethod]
    public async Task NumberedRoutine_NamedOnceThenByNumber_RunsAndAnUnknownNumberIsRefused()
    {
        WorkerPool pool = await SharedWorkerPool.UseAsync();
        WorkerInfo worker = pool.Workers[0];
        var routine = RoutineRegistry.Resolve(TestAssembly, ProcessIdRoutine, Guid.Empty);
        ByteString payload = ByteString.CopyFrom(RoutinePayload.SerializeCall(routine, null, []));
        using var channel = new RawWorkerChannel(pool, worker);
        using var call = new Worker.WorkerClient(channel.Invoker).Connect(ProtocolHeaders());
        var batch = new ClientBatch();
        batch.Frames.Add(new ClientFrame { Id = 1, Call = new Call { Protocol = WireProtocol.Version, Assembly = TestAssembly, Routine = ProcessIdRoutine, RoutineRef = 7, Payload = payload } });
        batch.Frames.Add(new ClientFrame { Id = 2, Call = new Call { Protocol = WireProtocol.Version, RoutineRef = 7, Payload = payload } });
        batch.Frames.Add(new ClientFrame { Id = 3, Call = new Call { Protocol = WireProtocol.Version, RoutineRef = 8, Payload = payload } });
        await call.RequestStream.WriteAsync(batch).WaitAsync(Timeouts.Default);

        var replies = new Dictionary<ulong, ServerFrame>();
        while (replies.Count < 3 && await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Timeouts.Default))
        {
            foreach (ServerFrame frame in call.ResponseStream.Current.Frames)
            {
                replies[frame.Id] = frame;
            }
        }

        await call.RequestStream.CompleteAsync().WaitAsync(Timeouts.Default);
        int ProcessIdOf(ServerFrame frame) => RoutinePayload.DeserializeValue<int>(routine, frame.Value.Memory, "result");
        Assert.AreEqual(worker.ProcessId, ProcessIdOf(replies[1]));
        Assert.AreEqual(worker.ProcessId, ProcessIdOf(replies[2]), "A call by number runs the routine named earlier on the connection.");
        Assert.AreEqual(ServerFrame.KindOneofCase.Rejected, replies[3].KindCase);
        Assert.IsFalse(replies[3].Rejected.Transient);
        StringAssert.Contains(replies[3].Rejected.Reason, "routine number 8 was never named on this connection");
    }

    [TestMethod]
    public async Task PeersWithAnInvalidAddress_AreIgnoredAndTheCallsAfterThemRun()
    {
        WorkerPool pool = await SharedWorkerPool.UseAsync();
        WorkerInfo worker = pool.Workers[0];
        var routine = RoutineRegistry.Resolve(TestAssembly, ProcessIdRoutine, Guid.Empty);
        using var channel = new RawWorkerChannel(pool, worker);
        using var call = new Worker.WorkerClient(channel.Invoker).Connect(ProtocolHeaders());
        var peers = new PeerList();
        peers.Peers.Add(new Peer { Id = "bad", Address = "not a uri", ProcessId = 1 });
        var batch = new ClientBatch();
        batch.Frames.Add(new ClientFrame { Peers = peers });
        batch.Frames.Add(new ClientFrame { Id = 1, Call = new Call { Protocol = WireProtocol.Version, Assembly = TestAssembly, Routine = ProcessIdRoutine, Payload = ByteString.CopyFrom(RoutinePayload.SerializeCall(routine, null, [])) } });
        await call.RequestStream.WriteAsync(batch).WaitAsync(Timeouts.Default);

        Assert.IsTrue(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Timeouts.Default));
        await call.RequestStream.CompleteAsync().WaitAsync(Timeouts.Default);
        ServerFrame reply = call.ResponseStream.Current.Frames.Single();

        Assert.AreEqual(worker.ProcessId, RoutinePayload.DeserializeValue<int>(routine, reply.Value.Memory, "result"));
        await AssertStillServesAsync(pool, worker);
    }

    private static async Task<ServerFrame> CallAsync(WorkerPool pool, WorkerInfo worker, Call request)
    {
        using var channel = new RawWorkerChannel(pool, worker);
        using var call = new Worker.WorkerClient(channel.Invoker).Connect(ProtocolHeaders());
        var batch = new ClientBatch();
        batch.Frames.Add(new ClientFrame { Id = 1, Call = request });
        await call.RequestStream.WriteAsync(batch).WaitAsync(Timeouts.Default);
        Assert.IsTrue(await call.ResponseStream.MoveNext(CancellationToken.None).WaitAsync(Timeouts.Default));
        await call.RequestStream.CompleteAsync().WaitAsync(Timeouts.Default);
        return call.ResponseStream.Current.Frames.Single();
    }

    private static Exception DecodeException(ServerFrame frame)
    {
        Assert.AreEqual(ServerFrame.KindOneofCase.Exception, frame.KindCase);
        return RoutinePayload.DeserializeException(RoutineRegistry.Resolve(TestAssembly, ProcessIdRoutine, Guid.Empty), frame.Exception.Memory);
    }

    private static async Task AssertStillServesAsync(WorkerPool pool, WorkerInfo target)
    {
        Assert.IsFalse(WorkerFailureTests.HasExited(target.ProcessId), "The worker process died.");
        int[] served = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => WorkerRoutines.ProcessId())).WaitAsync(Timeouts.Default);
        CollectionAssert.Contains(served, target.ProcessId, "The worker must still serve calls.");
        CollectionAssert.Contains(pool.Workers.ToList(), target);
    }
}
