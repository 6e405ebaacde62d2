using Google.Protobuf;
using Wool.Routines;
using Wool.Tests.Workers.InMemory;
using Wool.Workers.Protocol;

namespace Wool.Tests.Workers.Protocol;

/// <summary>Routine numbers on both ends of a connection: named once, then sent by number; an unknown number is refused; the table is bounded.</summary>
[TestClass]
public sealed class RoutineNumbersTests
{
    private static readonly RoutineRequest AddRequest = TestRunner.Capture(() => InMemoryRoutines.Add(1, 2));

    [TestMethod]
    public void TrySend_FirstCallOfARoutine_NamesAndNumbersIt_LaterCallsSendTheNumberOnly()
    {
        var numbers = new CallerRoutineNumbers();
        var sent = new List<ClientFrame>();

        numbers.TrySend(1, AddRequest, streaming: false, deadline: null, f => { sent.Add(f); return true; });
        numbers.TrySend(2, AddRequest, streaming: false, deadline: null, f => { sent.Add(f); return true; });

        Assert.AreNotEqual(0u, sent[0].Call.RoutineRef);
        Assert.AreEqual(AddRequest.AssemblyName, sent[0].Call.Assembly);
        Assert.AreEqual(sent[0].Call.RoutineRef, sent[1].Call.RoutineRef);
        Assert.AreEqual("", sent[1].Call.Assembly);
        Assert.AreEqual("", sent[1].Call.Routine);
        Assert.IsTrue(sent[1].Call.ModuleVersionId.IsEmpty);
    }

    [TestMethod]
    public void TrySend_NamingFrameNotQueued_NumberIsNotUsedLater()
    {
        var numbers = new CallerRoutineNumbers();
        var sent = new List<ClientFrame>();

        Assert.IsFalse(numbers.TrySend(1, AddRequest, streaming: false, deadline: null, _ => false));
        numbers.TrySend(2, AddRequest, streaming: false, deadline: null, f => { sent.Add(f); return true; });

        Assert.AreEqual(AddRequest.AssemblyName, sent[0].Call.Assembly, "A number whose naming frame never left must not be used alone.");
    }

    [TestMethod]
    public void Resolve_NumberNamedEarlier_FillsInTheName()
    {
        var numbers = new WorkerRoutineNumbers();
        Call named = WireProtocol.ToFrame(1, AddRequest, streaming: false, routineRef: 3, named: true).Call;
        Call numbered = WireProtocol.ToFrame(2, AddRequest, streaming: false, routineRef: 3, named: false).Call;

        Assert.IsNull(numbers.Resolve(named));
        Assert.IsNull(numbers.Resolve(numbered));

        Assert.AreEqual(named.Assembly, numbered.Assembly);
        Assert.AreEqual(named.Routine, numbered.Routine);
        Assert.AreEqual(named.ModuleVersionId, numbered.ModuleVersionId);
    }

    [TestMethod]
    public void Resolve_NumberNeverNamed_SaysWhy()
    {
        var numbers = new WorkerRoutineNumbers();

        string? refused = numbers.Resolve(new Call { RoutineRef = 12 });

        Assert.AreEqual("routine number 12 was never named on this connection", refused);
    }

    [TestMethod]
    public void Resolve_MoreNumbersThanTheCap_Refused()
    {
        var numbers = new WorkerRoutineNumbers();
        for (uint i = 1; i <= WireProtocol.MaxRoutineRefs; i++)
        {
            Assert.IsNull(numbers.Resolve(new Call { RoutineRef = i, Assembly = "A", Routine = "R" + i }));
        }

        string? refused = numbers.Resolve(new Call { RoutineRef = WireProtocol.MaxRoutineRefs + 1, Assembly = "A", Routine = "R" });

        StringAssert.Contains(refused, $"more than {WireProtocol.MaxRoutineRefs} routines");
        Assert.IsNull(numbers.Resolve(new Call { RoutineRef = 1, Assembly = "A", Routine = "renamed" }), "Renaming a known number stays within the cap.");
    }

    [TestMethod]
    public void Resolve_CallWithoutNumber_IsLeftAsItIs()
    {
        var numbers = new WorkerRoutineNumbers();
        Call call = WireProtocol.ToFrame(1, AddRequest, streaming: false).Call;
        Call before = call.Clone();

        Assert.IsNull(numbers.Resolve(call));
        Assert.AreEqual(before, call);
    }

    [TestMethod]
    public void ToFrame_ThenToRequest_RoundTripsTheCall()
    {
        RoutineRequest request;
        using (WoolContext.Set(InMemoryRoutines.Tenant, "acme"))
        {
            request = TestRunner.Capture(() => InMemoryRoutines.Add(4, 5));
        }

        ClientFrame frame = ClientFrame.Parser.ParseFrom(WireProtocol.ToFrame(9, request, streaming: false).ToByteArray());
        RoutineRequest received = WireProtocol.ToRequest(frame.Call, frame);

        Assert.AreEqual(request.AssemblyName, received.AssemblyName);
        Assert.AreEqual(request.RoutineId, received.RoutineId);
        Assert.AreEqual(request.ModuleVersionId, received.ModuleVersionId);
        CollectionAssert.AreEqual(request.Payload.ToArray(), received.Payload.ToArray());
        Assert.AreEqual("wool.tests.in-memory.tenant", received.Context.Values.Single().Key);
    }
}
