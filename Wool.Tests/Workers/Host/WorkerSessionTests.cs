using Google.Protobuf;
using Grpc.Core;
using Wool.Admission;
using Wool.Routines;
using Wool.Serialization;
using Wool.Tests.Workers.InMemory;
using Wool.Workers.Protocol;

namespace Wool.Tests.Workers.Host;

/// <summary>
/// What a worker does with each frame a caller sends, tested in memory (no process, no socket):
/// refusals before a call runs, routine numbers, stream credit, close and cancellation.
/// </summary>
[TestClass]
public sealed class WorkerSessionTests
{
    private static readonly RoutineRequest AddRequest = TestRunner.Capture(() => InMemoryRoutines.Add(1, 2));

    [TestMethod]
    public async Task Call_OfAnotherBuild_IsRefusedAndNotLeftCountedInFlight()
    {
        await using var worker = new InMemoryWorker();
        using var session = new RawSession(worker);
        ClientFrame frame = WireProtocol.ToFrame(1, AddRequest, streaming: false);
        frame.Call.ModuleVersionId = Google.Protobuf.ByteString.CopyFrom(Guid.NewGuid().ToByteArray());

        await session.SendAsync(frame);
        ServerFrame reply = await session.ReadAsync();

        Assert.AreEqual(ServerFrame.KindOneofCase.Rejected, reply.KindCase);
        Assert.AreEqual(16, reply.Rejected.Build.Length, "Refused as a worker of another build.");
        // Admitted, then refused: a stop must not wait for a call that never ran.
        Assert.AreEqual(0, worker.Runtime.InFlight);
    }

    [TestMethod]
    public async Task Call_NamedInFull_ReturnsTheResult()
    {
        await using var worker = new InMemoryWorker();
        using var session = new RawSession(worker);

        await session.CallAsync(1, AddRequest);
        ServerFrame reply = await session.ReadAsync();

        Assert.AreEqual(ServerFrame.KindOneofCase.Value, reply.KindCase);
        Assert.AreEqual(3, WoolSerializer.Deserialize(reply.Value.Memory));
    }

    [TestMethod]
    public async Task Call_OtherProtocolVersion_RejectedNotTransient()
    {
        await using var worker = new InMemoryWorker();
        using var session = new RawSession(worker);
        ClientFrame frame = WireProtocol.ToFrame(1, AddRequest, streaming: false);
        frame.Call.Protocol = WireProtocol.Version + 1;

        await session.SendAsync(frame);
        ServerFrame reply = await session.ReadAsync();

        AssertRejected(reply, transient: false, "speaks Wool protocol");
    }

    [TestMethod]
    public async Task Connect_WithoutProtocolHeader_FailsFailedPrecondition()
    {
        await using var worker = new InMemoryWorker();
        using var session = new RawSession(worker, headers: []);

        RpcException error = await session.EndedWithAsync();

        Assert.AreEqual(StatusCode.FailedPrecondition, error.StatusCode);
        StringAssert.Contains(error.Status.Detail, "did not say which Wool protocol");
    }

    [TestMethod]
    public async Task Call_NumberNamedEarlier_RunsByNumberAlone()
    {
        await using var worker = new InMemoryWorker();
        using var session = new RawSession(worker);

        await session.SendAsync(WireProtocol.ToFrame(1, AddRequest, streaming: false, routineRef: 7, named: true));
        await session.SendAsync(WireProtocol.ToFrame(2, AddRequest, streaming: false, routineRef: 7, named: false));
        ServerFrame first = await session.ReadAsync();
        ServerFrame second = await session.ReadAsync();

        Assert.AreEqual(ServerFrame.KindOneofCase.Value, first.KindCase);
        Assert.AreEqual(ServerFrame.KindOneofCase.Value, second.KindCase);
        Assert.AreEqual(3, WoolSerializer.Deserialize(second.Value.Memory));
    }

    [TestMethod]
    public async Task Call_NumberNeverNamed_RejectedNotTransient()
    {
        await using var worker = new InMemoryWorker();
        using var session = new RawSession(worker);

        await session.SendAsync(WireProtocol.ToFrame(1, AddRequest, streaming: false, routineRef: 9, named: false));

        AssertRejected(await session.ReadAsync(), transient: false, "routine number 9 was never named");
    }

    [TestMethod]
    public async Task Call_PastItsDispatchDeadline_RejectedTransient()
    {
        await using var worker = new InMemoryWorker();
        using var session = new RawSession(worker);

        await session.CallAsync(1, AddRequest, deadline: DateTimeOffset.UtcNow.AddSeconds(-1));

        AssertRejected(await session.ReadAsync(), transient: true, "after its dispatch deadline");
    }

    [TestMethod]
    public async Task Call_WithDeadlineInTime_AcceptedThenAnswered()
    {
        await using var worker = new InMemoryWorker();
        using var session = new RawSession(worker);

        await session.CallAsync(1, AddRequest, deadline: DateTimeOffset.UtcNow.AddMinutes(1));

        Assert.AreEqual(ServerFrame.KindOneofCase.Accepted, (await session.ReadAsync()).KindCase);
        Assert.AreEqual(ServerFrame.KindOneofCase.Value, (await session.ReadAsync()).KindCase);
    }

    [TestMethod]
    public async Task Call_AdmissionPolicyRefuses_RejectedTransient()
    {
        await using var worker = new InMemoryWorker(admission: new Policy(_ => false));
        using var session = new RawSession(worker);

        await session.CallAsync(1, AddRequest);

        AssertRejected(await session.ReadAsync(), transient: true, "admission policy refused it");
    }

    [TestMethod]
    public async Task Call_AdmissionPolicyThrows_RejectedNotTransient()
    {
        await using var worker = new InMemoryWorker(admission: new Policy(_ => throw new InvalidOperationException("policy bug")));
        using var session = new RawSession(worker);

        await session.CallAsync(1, AddRequest);

        AssertRejected(await session.ReadAsync(), transient: false, "policy bug");
    }

    [TestMethod]
    public async Task Call_WorkerStopping_RejectedTransient()
    {
        await using var worker = new InMemoryWorker();
        using var session = new RawSession(worker);
        string key = Guid.NewGuid().ToString("N");
        await session.CallAsync(1, TestRunner.Capture(() => InMemoryRoutines.WaitForCancellation(key, CancellationToken.None)));
        await Eventually.WaitUntilAsync(() => worker.Runtime.InFlight == 1);
        // A stop with a long grace: the worker refuses new calls while its call in flight drains.
        _ = worker.Runtime.StopAsync(TimeSpan.FromMinutes(1));

        await session.CallAsync(2, AddRequest);

        AssertRejected(await session.ReadAsync(), transient: true, "the worker is stopping");
        await session.SendAsync(new ClientFrame { Id = 1, Cancel = true });
    }

    [TestMethod]
    public async Task Call_IdAlreadyInProgress_SecondRejected()
    {
        await using var worker = new InMemoryWorker();
        using var session = new RawSession(worker);
        string key = Guid.NewGuid().ToString("N");
        RoutineRequest waiting = TestRunner.Capture(() => InMemoryRoutines.WaitForCancellation(key, CancellationToken.None));

        await session.CallAsync(1, waiting);
        await session.CallAsync(1, AddRequest);

        AssertRejected(await session.ReadAsync(), transient: false, "already in progress");
        await session.SendAsync(new ClientFrame { Id = 1, Cancel = true });
        Assert.AreEqual(ServerFrame.KindOneofCase.Exception, (await session.ReadAsync()).KindCase);
    }

    [TestMethod]
    public async Task Call_BeyondItsConnectionsShareOfCalls_RejectedTransientWhileOtherConnectionsAreServed()
    {
        await using var worker = new InMemoryWorker(limits: WorkerLimits.Default with { MaxCallsPerConnection = 2 });
        using var greedy = new RawSession(worker);
        using var other = new RawSession(worker);
        for (ulong id = 1; id <= 2; id++)
        {
            await greedy.CallAsync(id, TestRunner.Capture(() => InMemoryRoutines.WaitForCancellation(Guid.NewGuid().ToString("N"), CancellationToken.None)));
        }

        await Eventually.WaitUntilAsync(() => worker.Runtime.InFlight == 2);
        await greedy.CallAsync(3, AddRequest);
        await other.CallAsync(1, AddRequest);

        AssertRejected(await greedy.ReadAsync(), transient: true, "--max-calls-per-connection 2");
        Assert.AreEqual(ServerFrame.KindOneofCase.Value, (await other.ReadAsync()).KindCase, "Another connection has its own share.");
        await greedy.SendAsync(new ClientFrame { Id = 1, Cancel = true }, new ClientFrame { Id = 2, Cancel = true });
    }

    [TestMethod]
    public async Task OpenStream_BeyondItsConnectionsShareOfStreams_RejectedTransient()
    {
        await using var worker = new InMemoryWorker(limits: WorkerLimits.Default with { MaxStreamsPerConnection = 1 });
        using var session = new RawSession(worker);
        RoutineRequest stream = TestRunner.CaptureStream(() => InMemoryRoutines.Counted(Guid.NewGuid().ToString("N"), 10));

        await session.SendAsync(WireProtocol.ToFrame(1, stream, streaming: true), WireProtocol.ToFrame(2, stream, streaming: true));

        AssertRejected(await session.ReadAsync(), transient: true, "--max-streams-per-connection 1");
        await session.CallAsync(3, AddRequest);
        Assert.AreEqual(ServerFrame.KindOneofCase.Value, (await session.ReadAsync()).KindCase, "Calls have their own share.");
    }

    [TestMethod]
    public async Task Call_WithAMillionTypeArguments_RefusedBeforeItRuns()
    {
        await using var worker = new InMemoryWorker();
        using var session = new RawSession(worker);
        ClientFrame frame = WireProtocol.ToFrame(1, AddRequest, streaming: false);
        frame.Call.TypeArguments.AddRange(Enumerable.Repeat("System.Int32", 1_000_000));

        await session.SendAsync(frame);
        ServerFrame reply = await session.ReadAsync();

        AssertRejected(reply, transient: false, $"a call carries at most {Wool.Workers.Host.CallAdmission.MaxTypeArguments}");
    }

    [TestMethod]
    public async Task Call_NamingAnAssemblyByPath_IsRefusedAndNothingIsLoaded()
    {
        await using var worker = new InMemoryWorker();
        using var session = new RawSession(worker);
        ClientFrame frame = WireProtocol.ToFrame(1, AddRequest, streaming: false);
        frame.Call.Assembly = "/tmp/evil/Attack";
        int loaded = AppDomain.CurrentDomain.GetAssemblies().Length;

        await session.SendAsync(frame);
        ServerFrame reply = await session.ReadAsync();

        Assert.AreEqual(ServerFrame.KindOneofCase.Exception, reply.KindCase);
        var error = Assert.IsInstanceOfType<RoutineNotFoundException>(WoolSerializer.DeserializeException(reply.Exception.Memory));
        StringAssert.Contains(error.Message, "is not one of the application's assemblies");
        Assert.IsFalse(AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name == "Attack"));
        Assert.IsFalse(Wool.Routines.RoutineRegistry.IsSimpleName("/tmp/evil/Attack"));
        Assert.IsFalse(Wool.Routines.RoutineRegistry.IsSimpleName("../Attack"));
        Assert.IsTrue(Wool.Routines.RoutineRegistry.IsSimpleName("Wool.Tests"));
    }

    [TestMethod]
    public async Task Call_NamingAPackageAssembly_IsRefusedWithoutRunningItsInitializer()
    {
        await using var worker = new InMemoryWorker();
        using var session = new RawSession(worker);
        ClientFrame frame = WireProtocol.ToFrame(1, AddRequest, streaming: false);
        frame.Call.Assembly = typeof(Makaretu.Dns.Message).Assembly.FullName;

        await session.SendAsync(frame);
        ServerFrame reply = await session.ReadAsync();

        StringAssert.Contains(WoolSerializer.DeserializeException(reply.Exception.Memory).Message, "is not one of the application's assemblies");
    }

    [TestMethod]
    public async Task Pull_GrantingMoreThanTheRoutinesWindow_EndsThatStreamOnly()
    {
        await using var worker = new InMemoryWorker();
        using var session = new RawSession(worker);
        string key = Guid.NewGuid().ToString("N");

        await session.SendAsync(WireProtocol.ToFrame(1, TestRunner.CaptureStream(() => InMemoryRoutines.Counted(key, int.MaxValue)), streaming: true), new ClientFrame { Id = 1, Pull = uint.MaxValue });
        ServerFrame end = await session.ReadAsync();
        await session.CallAsync(2, AddRequest);

        Assert.AreEqual(ServerFrame.KindOneofCase.Exception, end.KindCase, "A caller may not have more than the window produced for it.");
        StringAssert.Contains(WoolSerializer.DeserializeException(end.Exception.Memory).Message, "where the routine's window is 1");
        Assert.AreEqual(ServerFrame.KindOneofCase.Value, (await session.ReadAsync()).KindCase, "The connection keeps serving.");
        Assert.IsFalse(InMemoryRoutines.Produced.ContainsKey(key), "Nothing may have been produced for it.");
        await Eventually.WaitUntilAsync(() => worker.Runtime.InFlight == 0);
    }

    [TestMethod]
    public async Task Frame_OfNoKnownKind_RejectedNotTransient()
    {
        await using var worker = new InMemoryWorker();
        using var session = new RawSession(worker);

        await session.SendAsync(new ClientFrame { Id = 5 });

        AssertRejected(await session.ReadAsync(), transient: false, "does not understand frames");
    }

    [TestMethod]
    public async Task Cancel_RunningCall_RoutineSeesItsTokenCancelled()
    {
        await using var worker = new InMemoryWorker();
        using var session = new RawSession(worker);
        string key = Guid.NewGuid().ToString("N");

        await session.CallAsync(1, TestRunner.Capture(() => InMemoryRoutines.WaitForCancellation(key, CancellationToken.None)));
        Assert.IsFalse(await session.SendsAnythingWithinAsync(TimeSpan.FromMilliseconds(100)), "The routine ended before it was cancelled.");
        await session.SendAsync(new ClientFrame { Id = 1, Cancel = true });
        ServerFrame reply = await session.ReadAsync();

        Assert.AreEqual(ServerFrame.KindOneofCase.Exception, reply.KindCase);
        Assert.IsInstanceOfType<OperationCanceledException>(WoolSerializer.DeserializeException(reply.Exception.Memory));
        Assert.IsTrue(InMemoryRoutines.Finished.ContainsKey(key), "The routine's finally block did not run.");
    }

    [TestMethod]
    public async Task Stream_StrictPull_ProducesOneItemPerCredit()
    {
        await using var worker = new InMemoryWorker();
        using var session = new RawSession(worker);
        string key = Guid.NewGuid().ToString("N");

        await session.SendAsync(WireProtocol.ToFrame(1, TestRunner.CaptureStream(() => InMemoryRoutines.Counted(key, 100)), streaming: true), new ClientFrame { Id = 1, Pull = 1 });
        for (int i = 0; i < 3; i++)
        {
            Assert.AreEqual(ServerFrame.KindOneofCase.Value, (await session.ReadAsync()).KindCase);
            if (i < 2)
            {
                await session.SendAsync(new ClientFrame { Id = 1, Pull = 1 });
            }
        }

        Assert.IsFalse(await session.SendsAnythingWithinAsync(TimeSpan.FromMilliseconds(200)), "The worker sent more than it was granted.");
        Assert.AreEqual(3, InMemoryRoutines.Produced[key], "The worker ran ahead of the caller's credit.");
    }

    [TestMethod]
    public async Task Stream_Close_RunsFinallyThenCompletes()
    {
        await using var worker = new InMemoryWorker();
        using var session = new RawSession(worker);
        string key = Guid.NewGuid().ToString("N");

        await session.SendAsync(WireProtocol.ToFrame(1, TestRunner.CaptureStream(() => InMemoryRoutines.Counted(key, 100)), streaming: true), new ClientFrame { Id = 1, Pull = 1 });
        Assert.AreEqual(ServerFrame.KindOneofCase.Value, (await session.ReadAsync()).KindCase);
        await session.SendAsync(new ClientFrame { Id = 1, Close = true });
        ServerFrame end = await session.ReadAsync();

        Assert.AreEqual(ServerFrame.KindOneofCase.Completed, end.KindCase);
        Assert.IsTrue(InMemoryRoutines.Finished.ContainsKey(key), "The iterator's finally block had not run when the close was confirmed.");
        Assert.AreEqual(1, InMemoryRoutines.Produced[key]);
    }

    [TestMethod]
    public async Task Cancel_StreamWaitingForCredit_EndsItWithCancellationAfterItsFinally()
    {
        await using var worker = new InMemoryWorker();
        using var session = new RawSession(worker);
        string key = Guid.NewGuid().ToString("N");
        await session.SendAsync(WireProtocol.ToFrame(1, TestRunner.CaptureStream(() => InMemoryRoutines.Counted(key, 100)), streaming: true), new ClientFrame { Id = 1, Pull = 1 });
        Assert.AreEqual(ServerFrame.KindOneofCase.Value, (await session.ReadAsync()).KindCase);

        await session.SendAsync(new ClientFrame { Id = 1, Cancel = true });
        ServerFrame end = await session.ReadAsync();

        Assert.AreEqual(ServerFrame.KindOneofCase.Exception, end.KindCase, "Nothing pulls the stream, so the cancel itself must end it.");
        Assert.IsInstanceOfType<OperationCanceledException>(WoolSerializer.DeserializeException(end.Exception.Memory));
        Assert.IsTrue(InMemoryRoutines.Finished.ContainsKey(key), "The iterator's finally block must run before the end is sent.");
        Assert.AreEqual(0, worker.Runtime.InFlight);
    }

    [TestMethod]
    public async Task Stop_StreamWaitingForCredit_EndsAtTheEndOfTheGraceAfterItsFinally()
    {
        await using var worker = new InMemoryWorker();
        using var session = new RawSession(worker);
        string key = Guid.NewGuid().ToString("N");
        await session.SendAsync(WireProtocol.ToFrame(1, TestRunner.CaptureStream(() => InMemoryRoutines.Counted(key, 100)), streaming: true), new ClientFrame { Id = 1, Pull = 1 });
        Assert.AreEqual(ServerFrame.KindOneofCase.Value, (await session.ReadAsync()).KindCase);
        var stopping = System.Diagnostics.Stopwatch.StartNew();

        await worker.Runtime.StopAsync(TimeSpan.FromMilliseconds(100)).WaitAsync(Timeouts.Default);

        Assert.IsLessThan(4_000, stopping.ElapsedMilliseconds, "A stream nobody pulls must not hold a stopping worker for the 5 s cancellation wait.");
        Assert.IsTrue(InMemoryRoutines.Finished.ContainsKey(key), "The iterator's finally block must run when the worker stops.");
        Assert.AreEqual(ServerFrame.KindOneofCase.Exception, (await session.ReadAsync()).KindCase);
    }

    [TestMethod]
    public async Task Stream_PullCarriesNewContext_LaterStepsSeeIt()
    {
        await using var worker = new InMemoryWorker();
        using var session = new RawSession(worker);
        RoutineRequest open;
        using (WoolContext.Set(InMemoryRoutines.Tenant, "acme"))
        {
            open = TestRunner.CaptureStream(() => InMemoryRoutines.Tenants(2));
        }

        RoutineRequest later;
        using (WoolContext.Set(InMemoryRoutines.Tenant, "globex"))
        {
            later = TestRunner.CaptureStream(() => InMemoryRoutines.Tenants(2));
        }

        await session.SendAsync(WireProtocol.ToFrame(1, open, streaming: true), new ClientFrame { Id = 1, Pull = 1 });
        ServerFrame first = await session.ReadAsync();
        var pull = new ClientFrame { Id = 1, Pull = 1 };
        ContextFrames.Write(pull.Context, later.Context);
        await session.SendAsync(pull);
        ServerFrame second = await session.ReadAsync();

        Assert.AreEqual("acme", WoolSerializer.Deserialize(first.Value.Memory));
        Assert.AreEqual("globex", WoolSerializer.Deserialize(second.Value.Memory));
    }

    [TestMethod]
    public async Task Pull_ForUnknownStream_IsIgnored()
    {
        await using var worker = new InMemoryWorker();
        using var session = new RawSession(worker);

        await session.SendAsync(new ClientFrame { Id = 42, Pull = 5 });
        await session.CallAsync(1, AddRequest);

        Assert.AreEqual(1ul, (await session.ReadAsync()).Id, "A pull for a stream that does not exist must be ignored, and the session keep serving.");
    }

    private static void AssertRejected(ServerFrame reply, bool transient, string reason)
    {
        Assert.AreEqual(ServerFrame.KindOneofCase.Rejected, reply.KindCase, $"Expected a refusal, got {reply}.");
        Assert.AreEqual(transient, reply.Rejected.Transient, reply.Rejected.Reason);
        StringAssert.Contains(reply.Rejected.Reason, reason);
    }

    private sealed class Policy(Func<AdmissionRequest, bool> admit) : IAdmissionPolicy
    {
        public bool Admit(AdmissionRequest request) => admit(request);
    }
}
