using MessagePack;
using Wool.Routines;
using Wool.Serialization;
using Wool.Tests.Workers.InMemory;
using F = Wool.Tests.Fixtures;

namespace Wool.Tests.Serialization;

/// <summary>
/// The graph arrives as it was sent: one object reached twice is one object, cycles are kept,
/// long chains do not exhaust the stack, and nesting beyond the limit fails with a typed error
/// naming it. In memory; <c>Integration/Objects</c> repeats the main cases against workers.
/// </summary>
[TestClass]
public sealed class ObjectGraphTests
{
    [TestMethod]
    public async Task TwoArguments_PointingAtOneObject_ArriveAsOneObject()
    {
        await using var pool = new InProcessPool();
        var shared = new F.Scaler(2);

        Assert.IsTrue(await F.ObjectRoutines.Same(shared, shared).WaitAsync(Timeouts.Default));
        Assert.IsFalse(await F.ObjectRoutines.Same(shared, new F.Scaler(2)).WaitAsync(Timeouts.Default));
    }

    [TestMethod]
    public async Task Tree_WithParentBackReferences_ArrivesIntact()
    {
        await using var pool = new InProcessPool();
        var root = new F.TreeNode("root");
        F.TreeNode left = root.Add("left");
        left.Add("left.1");
        left.Add("left.2");
        root.Add("right");

        Assert.AreEqual(5, await F.ObjectRoutines.CountIntactTree(root).WaitAsync(Timeouts.Default));
    }

    [TestMethod]
    public async Task DoublyLinkedSelfReferringList_OfTenThousandNodes_ArrivesIntactBothWays()
    {
        await using var pool = new InProcessPool();
        F.Link head = F.Link.Chain(10_000);
        head.Self = head;

        Assert.AreEqual(10_000, await F.ObjectRoutines.CheckChain(head).WaitAsync(Timeouts.Default), "argument");
        F.Link back = await F.ObjectRoutines.MakeChain(10_000).WaitAsync(Timeouts.Default);
        Assert.AreSame(back, back.Self, "result");
        int length = 1;
        for (F.Link link = back; link.Next is { } next; link = next, length++)
        {
            Assert.AreSame(link, next.Previous);
        }

        Assert.AreEqual(10_000, length);
    }

    [TestMethod]
    public void Serialize_SharedObjectInAList_IsWrittenOnce()
    {
        var shared = new F.Profile { Name = new string('x', 1000) };

        byte[] once = WoolSerializer.Serialize(new List<F.Profile> { shared });
        byte[] twice = WoolSerializer.Serialize(new List<F.Profile> { shared, shared });

        Assert.IsLessThan(once.Length + 16, twice.Length, "The second occurrence must be a reference, not a copy.");
        var back = (List<F.Profile>)WoolSerializer.Deserialize(twice)!;
        Assert.AreSame(back[0], back[1]);
    }

    [TestMethod]
    public async Task Argument_ListThatContainsItself_IsRefusedNamingTheCycle()
    {
        await using var pool = new InProcessPool();
        var list = new List<object>();
        list.Add(list);

        var error = await Assert.ThrowsExactlyAsync<WoolSerializationException>(() => F.ObjectRoutines.Echo(list).WaitAsync(Timeouts.Default));

        Assert.AreEqual(
            "Could not send argument 'value' of routine 'ObjectRoutines.Echo' (List<object>): it contains itself: Wool rebuilds objects that refer back to each other, " +
            "but not a collection (or an object with a MessagePack contract of its own) that holds itself, directly or through its elements. " +
            "Break that cycle, for example by holding an id instead of the collection.",
            error.Message);
    }

    [TestMethod]
    public async Task Argument_NestedDeeperThanTheLimit_FailsNamingTheLimitAndHowToRaiseIt()
    {
        await using var pool = new InProcessPool();
        object nested = 1;
        for (int i = 0; i < 600; i++)
        {
            nested = new object[] { nested };
        }

        var error = await Assert.ThrowsExactlyAsync<WoolSerializationException>(() => F.ObjectRoutines.Echo(nested).WaitAsync(Timeouts.Default));

        StringAssert.Contains(error.Message, "Could not send argument 'value' of routine 'ObjectRoutines.Echo'");
        StringAssert.Contains(error.Message, "deeper than the 500 levels");
        StringAssert.Contains(error.Message, "WorkerLimits.MaxValueDepth (--max-value-depth)");
        Assert.AreEqual(0, pool.CallCount);
    }

    [TestMethod]
    public void Receive_HostileDeeplyNestedObjects_FailsTypedNamingTheLimit()
    {
        // A hostile sender nests objects directly instead of deferring them as Wool does.
        byte[] payload = HostileChain(100_000);
        Routine routine = TestRunner.Capture(() => F.ObjectRoutines.Echo(null)).Routine!;

        var error = Assert.ThrowsExactly<WoolSerializationException>(() => RoutinePayload.DeserializeValue<object>(routine, payload, "result"));

        StringAssert.Contains(error.Message, "Could not receive the result of routine 'ObjectRoutines.Echo'");
        StringAssert.Contains(error.Message, "exceeds the maximum depth allowed of 500 (WorkerLimits.MaxValueDepth, --max-value-depth)");
    }

    /// <summary>A typeless Link whose Next field holds the next link inline, <paramref name="depth"/> times.</summary>
    private static byte[] HostileChain(int depth)
    {
        byte[] link = WoolSerializer.Serialize(new F.Link(0));
        var reader = new MessagePackReader(link);
        var header = reader.ReadExtensionFormatHeader();
        byte[] typeName = System.Buffers.BuffersExtensions.ToArray(reader.ReadStringSequence()!.Value);
        uint fingerprint = ReadFingerprint(reader);

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        for (int i = 0; i < depth; i++)
        {
            // Fields in declaration order: Value, Next, Previous, Self.
            writer.WriteArrayHeader(5);
            writer.Write(fingerprint);
            writer.Write(i);
        }

        writer.WriteNil();
        for (int i = 0; i < depth; i++)
        {
            writer.WriteNil();
            writer.WriteNil();
        }

        writer.Flush();
        var outer = new System.Buffers.ArrayBufferWriter<byte>();
        var framing = new MessagePackWriter(outer);
        var body = new System.Buffers.ArrayBufferWriter<byte>();
        var bodyWriter = new MessagePackWriter(body);
        bodyWriter.WriteString(typeName);
        bodyWriter.WriteRaw(buffer.WrittenSpan);
        bodyWriter.Flush();
        framing.WriteExtensionFormat(new ExtensionResult(header.TypeCode, new System.Buffers.ReadOnlySequence<byte>(body.WrittenMemory)));
        framing.Flush();
        return outer.WrittenSpan.ToArray();
    }

    private static uint ReadFingerprint(MessagePackReader reader)
    {
        reader.ReadArrayHeader();
        return reader.ReadUInt32();
    }
}
