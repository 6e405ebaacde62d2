using System.Net.Sockets;
using Wool.Serialization;

namespace Wool.Tests.Serialization;

/// <summary>
/// Values that cannot cross a process boundary fail at the caller, before any worker is
/// contacted, with a message naming the routine and the parameter or captured variable.
/// </summary>
[TestClass]
public sealed class UnsupportedValueTests
{
    [TestMethod]
    public async Task Argument_Delegate_FailsNamingParameter()
    {
        await using var pool = new InProcessPool();

        var error = await Assert.ThrowsExactlyAsync<WoolSerializationException>(() => SerializationRoutines.Call(() => 1).WaitAsync(Timeouts.Default));

        StringAssert.Contains(error.Message, "argument 'callback' of routine 'SerializationRoutines.Call'");
        StringAssert.Contains(error.Message, "(Func<int>): it is bound to this process: a delegate is code and state of this process. Pass the data it works on, or call a routine.");
        Assert.AreEqual(0, pool.CallCount);
    }

    [TestMethod]
    public async Task Argument_Stream_FailsNamingParameter()
    {
        await using var pool = new InProcessPool();
        using var stream = new MemoryStream([1, 2, 3]);

        var error = await Assert.ThrowsExactlyAsync<WoolSerializationException>(() => SerializationRoutines.Measure(stream).WaitAsync(Timeouts.Default));

        StringAssert.Contains(error.Message, "argument 'stream'");
        StringAssert.Contains(error.Message, "(MemoryStream): it is bound to this process: streams and sockets are live I/O");
        StringAssert.Contains(error.Message, "Pass the bytes (byte[]) or an address to open on the worker.");
    }

    [TestMethod]
    public async Task Argument_Socket_FailsNamingParameterAndType()
    {
        await using var pool = new InProcessPool();
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

        var error = await Assert.ThrowsExactlyAsync<WoolSerializationException>(() => SerializationRoutines.Echo(socket).WaitAsync(Timeouts.Default));

        StringAssert.Contains(error.Message, "argument 'value'");
        StringAssert.Contains(error.Message, "(Socket): it is bound to this process");
    }

    [TestMethod]
    public async Task Argument_ObjectHoldingCancellationToken_FailsSayingHowToPassCancellation()
    {
        await using var pool = new InProcessPool();

        var error = await Assert.ThrowsExactlyAsync<WoolSerializationException>(() => SerializationRoutines.Open(new Envelope()).WaitAsync(Timeouts.Default));

        StringAssert.Contains(error.Message, "argument 'envelope'");
        StringAssert.Contains(error.Message, "declare a CancellationToken parameter");
    }

    [TestMethod]
    public async Task Closure_CapturingDelegateOnlyUsedBySiblingLambda_FailsNamingCapturedVariable()
    {
        await using var pool = new InProcessPool();
        int offset = 1;
        Action log = () => { };
        Func<int> sibling = () =>
        {
            log();
            return offset;
        };
        Func<Task<int>> routine = [Routine] async () =>
        {
            await Task.Yield();
            return offset + 1;
        };

        var error = await Assert.ThrowsExactlyAsync<WoolSerializationException>(() => routine().WaitAsync(Timeouts.Default));

        StringAssert.Contains(error.Message, "captured variable 'log' (Action) of routine 'lambda in UnsupportedValueTests.Closure_CapturingDelegateOnlyUsedBySiblingLambda_FailsNamingCapturedVariable'");
        StringAssert.Contains(error.Message, "captures every variable of its scope");
        Assert.AreEqual(1, sibling());
    }

    [TestMethod]
    public async Task Result_Delegate_FailsAtCallerNamingTheResult()
    {
        await using var pool = new InProcessPool();

        var error = await Assert.ThrowsExactlyAsync<WoolSerializationException>(() => SerializationRoutines.ReturnDelegate().WaitAsync(Timeouts.Default));

        StringAssert.Contains(error.Message, "Could not return the result of routine 'SerializationRoutines.ReturnDelegate'");
    }
}
