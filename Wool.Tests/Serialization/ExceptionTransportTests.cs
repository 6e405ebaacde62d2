using System.Text;
using Wool.Routines;
using Wool.Serialization;

namespace Wool.Tests.Serialization;

/// <summary>A routine's exception reaches the caller as if thrown locally, with the remote stack trace.</summary>
[TestClass]
public sealed class ExceptionTransportTests
{
    [TestMethod]
    public async Task Routine_ThrowsCustomException_CallerCatchesItWithAllItsState()
    {
        await using var pool = new InProcessPool();

        var error = await Assert.ThrowsExactlyAsync<OrderRejectedException>(() => SerializationRoutines.ThrowRejected(17).WaitAsync(Timeouts.Default));

        Assert.AreEqual("Order rejected with code 17.", error.Message);
        Assert.AreEqual(17, error.Code);
        CollectionAssert.AreEqual(new[] { "stock", "credit" }, error.Reasons);
        Assert.AreEqual(42, error.Data["order"]);
        Assert.AreEqual("acme", error.Data["customer"]);
        Assert.IsInstanceOfType<InvalidOperationException>(error.InnerException);
        Assert.AreEqual("Out of stock.", error.InnerException.Message);
    }

    [TestMethod]
    public async Task Routine_Throws_ToStringShowsRemoteThenLocalStackTrace()
    {
        await using var pool = new InProcessPool();

        var error = await Assert.ThrowsExactlyAsync<OrderRejectedException>(() => SerializationRoutines.ThrowRejected(1).WaitAsync(Timeouts.Default));

        string text = error.ToString();
        int remote = text.IndexOf("SerializationRoutines.ThrowRejected", StringComparison.Ordinal);
        int boundary = text.IndexOf("--- End of stack trace from previous location ---", StringComparison.Ordinal);
        Assert.IsGreaterThanOrEqualTo(0, remote, text);
        Assert.IsGreaterThan(remote, boundary, text);
        StringAssert.Contains(text, "Out of stock.");
    }

    [TestMethod]
    public async Task Routine_ThrowsExceptionWithUncopyableState_ArrivesAsRemoteExceptionKeepingText()
    {
        await using var pool = new InProcessPool();

        var error = await Assert.ThrowsExactlyAsync<RemoteException>(() => SerializationRoutines.ThrowWithCallback().WaitAsync(Timeouts.Default));

        StringAssert.Contains(error.RemoteTypeName, typeof(CallbackException).FullName!);
        Assert.AreEqual("Cannot carry my callback.", error.RemoteMessage);
        StringAssert.Contains(error.Message, "could not be rebuilt here");
        StringAssert.Contains(error.Reason, "field 'CallbackException.Callback' (Action) is bound to this process: a delegate is code and state of this process");
        StringAssert.Contains(error.ToString(), "SerializationRoutines.ThrowWithCallback");
    }

    [TestMethod]
    public void Deserialize_ExceptionOfUnknownType_BecomesRemoteExceptionKeepingEverything()
    {
        var original = new OrderRejectedException("Rejected.", 3, new InvalidOperationException("inner"));
        original.Data["key"] = "value";
        try
        {
            throw original;
        }
        catch (OrderRejectedException thrown)
        {
            original = thrown;
        }

        byte[] renamed = WoolSerializer.SerializeException(original);
        // Same length, so the MessagePack string header stays valid: a type this process cannot load.
        byte[] name = Encoding.ASCII.GetBytes("OrderRejectedException,");
        int at = renamed.AsSpan().IndexOf(name);
        Assert.IsGreaterThanOrEqualTo(0, at);
        renamed[at + name.Length - 2] = (byte)'X';
        var routine = RoutineRegistry.Resolve(
            typeof(SerializationRoutines).Assembly.FullName!,
            "System.Threading.Tasks.Task Wool.Tests.Serialization.SerializationRoutines::ThrowRejected(System.Int32)",
            Guid.Empty);

        var error = RoutinePayload.DeserializeException(routine, renamed);

        var remote = error as RemoteException;
        Assert.IsNotNull(remote, error.ToString());
        StringAssert.Contains(remote.RemoteTypeName, "OrderRejectedExceptioX");
        Assert.AreEqual("Rejected.", remote.RemoteMessage);
        Assert.AreEqual("value", remote.Data["key"]);
        Assert.IsInstanceOfType<InvalidOperationException>(remote.InnerException);
        StringAssert.Contains(remote.ToString(), nameof(Deserialize_ExceptionOfUnknownType_BecomesRemoteExceptionKeepingEverything));
    }
}
