using System.Buffers;
using MessagePack;
using Wool.Routines;
using Wool.Serialization;
using Wool.Serialization.Types;
using Wool.Tests.Workers.InMemory;
using F = Wool.Tests.Fixtures;

namespace Wool.Tests.Serialization;

/// <summary>
/// Messages no Wool build writes, as a hostile peer would craft them: each fails typed and fast,
/// on the path a worker (or a caller) actually reads, and never takes the process down. Also the
/// honest shapes those defences must keep working.
/// </summary>
[TestClass]
public sealed class HostileMessageTests
{
    private static readonly Routine Echo = TestRunner.Capture(() => F.ObjectRoutines.Echo(null)).Routine!;

    [TestMethod]
    public void Receive_TypedValuesNestedTwentyThousandDeep_FailsTypedOnASmallStack()
    {
        byte[] payload = NestedTypeless(System.Text.Encoding.UTF8.GetBytes("System.IComparable, System.Private.CoreLib"), 20_000);

        Exception? failure = null;
        var reader = new Thread(() => failure = Record(() => RoutinePayload.DeserializeValue<object>(Echo, payload, "result")), maxStackSize: 1024 * 1024);
        reader.Start();
        Assert.IsTrue(reader.Join(Timeouts.Default));

        Assert.IsInstanceOfType<WoolSerializationException>(failure);
        StringAssert.Contains(failure.Message, "nested too deeply");
    }

    [TestMethod]
    public void Receive_RecordInAHashSetReferringToItself_IsRefusedBeforeItIsHashed()
    {
        // HashSet<Chain> holding one Chain whose Next is a reference to itself (object #1).
        byte[] honest = WoolSerializer.Serialize(new HashSet<F.Chain> { new("a") });
        byte[] hostile = honest[..^1].Concat(Reference(1)).ToArray();
        hostile = Rewrap(honest, hostile);

        var error = Assert.ThrowsExactly<WoolSerializationException>(() => RoutinePayload.DeserializeValue<object>(Echo, hostile, "result"));

        StringAssert.Contains(error.Message, "refers back to a 'Wool.Tests.Fixtures.Chain' while it is being read, and that type has value equality");
    }

    [TestMethod]
    public async Task Send_RecordReferringToItself_IsRefusedSayingWhy()
    {
        await using var pool = new InProcessPool();
        var chain = new F.Chain("a");
        chain.Next = chain;

        var error = await Assert.ThrowsExactlyAsync<WoolSerializationException>(() => F.ObjectRoutines.Echo(chain).WaitAsync(Timeouts.Default));

        StringAssert.Contains(error.Message, "field 'Chain.Next' (Chain) refers back to itself through its fields, and it has value equality (a record, or an override of GetHashCode)");
    }

    [TestMethod]
    public void RoundTrip_DeepListOfNodesHoldingHashedAndSortedCollections_ArrivesIntact()
    {
        F.Bag head = new();
        F.Bag tail = head;
        for (int i = 0; i < 100; i++)
        {
            tail.Keys.UnionWith([new F.GridKey(i, 0), new F.GridKey(i, 1), new F.GridKey(i, 2)]);
            tail.Sorted.UnionWith([1, 2, 3]);
            tail = tail.Next = new F.Bag();
        }

        var back = (F.Bag)WoolSerializer.Deserialize(WoolSerializer.Serialize(head))!;

        int node = 0;
        for (F.Bag? bag = back; bag?.Next is not null; bag = bag.Next, node++)
        {
            Assert.AreEqual(3, bag.Keys.Count, $"node {node}");
            Assert.IsTrue(bag.Keys.Contains(new F.GridKey(node, 2)), $"node {node}");
            CollectionAssert.AreEqual(new[] { 3, 2, 1 }, bag.Sorted.ToList(), $"node {node}");
            Assert.IsTrue(bag.Sorted.Contains(1), $"node {node}");
        }

        Assert.AreEqual(100, node);
    }

    [TestMethod]
    public void Receive_ComparerOfAMadeUpCulture_IsRefusedTyped()
    {
        byte[] honest = WoolSerializer.Serialize(new HashSet<string>(StringComparer.Create(System.Globalization.CultureInfo.GetCultureInfo("sv-SE"), System.Globalization.CompareOptions.None)) { "a" });
        byte[] made = System.Text.Encoding.UTF8.GetBytes("sv-SE");
        int at = honest.AsSpan().IndexOf(made);
        Assert.IsGreaterThanOrEqualTo(0, at);
        System.Text.Encoding.UTF8.GetBytes("xx-QQ").CopyTo(honest, at);

        var error = Assert.ThrowsExactly<WoolSerializationException>(() => RoutinePayload.DeserializeValue<object>(Echo, honest, "result"));

        StringAssert.Contains(error.Message, "compares strings by culture 'xx-QQ'");
    }

    [TestMethod]
    public void Receive_TypeNameThousandsOfLevelsDeep_IsRefusedBeforeTheRuntimeParsesIt()
    {
        byte[] name = System.Text.Encoding.UTF8.GetBytes("System.Int32" + string.Concat(Enumerable.Repeat("[]", 2000)));
        byte[] payload = Typeless(name, [0xC0]);
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var error = Assert.ThrowsExactly<WoolSerializationException>(() => RoutinePayload.DeserializeValue<object>(Echo, payload, "result"));

        StringAssert.Contains(error.Message, "generic or array brackets arrived (at most 64 are read)");
        Assert.IsLessThan(2000, watch.ElapsedMilliseconds, "The name must be refused before it is parsed.");
    }

    [TestMethod]
    public void Receive_ResultOfAnotherTypeThanDeclared_IsRefusedNotConverted()
    {
        foreach (object? wrong in new object?[] { 2.5, "42", true, new List<int>() })
        {
            byte[] payload = WoolSerializer.Serialize(wrong);

            var error = Assert.ThrowsExactly<WoolSerializationException>(() => RoutinePayload.DeserializeValue<int>(Echo, payload, "result"), wrong?.ToString());

            StringAssert.Contains(error.Message, "where a 'System.Int32' was expected");
        }

        Assert.AreEqual(7L, RoutinePayload.DeserializeValue<long>(Echo, WoolSerializer.Serialize(7), "result"), "An integer still widens.");
    }

    [TestMethod]
    public void Limits_DepthAboveWhatAStackHolds_AreRefused()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => new WorkerLimits { MaxValueDepth = 10_000 }.Validate("test"));

        StringAssert.Contains(error.Message, "MaxValueDepth must be between 16 and 2,000 levels");
        Assert.AreEqual("x", TypeNameLimit.Checked("x"));
    }

    private static Exception? Record(Action action)
    {
        try
        {
            action();
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    /// <summary>A typeless value: extension 100 holding the type name, then the value.</summary>
    private static byte[] Typeless(byte[] typeName, byte[] value)
    {
        var body = new ArrayBufferWriter<byte>();
        var bodyWriter = new MessagePackWriter(body);
        bodyWriter.WriteString(typeName);
        bodyWriter.WriteRaw(value);
        bodyWriter.Flush();
        var whole = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(whole);
        writer.WriteExtensionFormat(new ExtensionResult(100, new ReadOnlySequence<byte>(body.WrittenMemory)));
        writer.Flush();
        return whole.WrittenSpan.ToArray();
    }

    /// <summary><paramref name="levels"/> typeless values, each the value of the one around it, around a nil; built from the inside out in one buffer.</summary>
    private static byte[] NestedTypeless(byte[] typeName, int levels)
    {
        var buffer = new byte[levels * (typeName.Length + 8) + 1];
        int start = buffer.Length - 1;
        buffer[start] = 0xC0;
        for (int i = 0; i < levels; i++)
        {
            int inner = buffer.Length - start;
            start -= typeName.Length;
            typeName.CopyTo(buffer, start);
            buffer[--start] = (byte)typeName.Length;
            buffer[--start] = 0xD9; // str 8
            int body = inner + typeName.Length + 2;
            start -= 6;
            buffer[start] = 0xC9; // ext 32: length, then type
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan(start + 1), body);
            buffer[start + 5] = 100;
        }

        return buffer[start..];
    }

    private static byte[] Reference(int id) => [0xD4, 110, (byte)id];

    /// <summary>The honest message with its last byte (the record's nil Next) replaced, re-framed: the typeless extension's length changes with its body.</summary>
    private static byte[] Rewrap(byte[] honest, byte[] patched)
    {
        var reader = new MessagePackReader(honest);
        ExtensionHeader header = reader.ReadExtensionFormatHeader();
        int bodyStart = (int)reader.Consumed;
        byte[] body = patched[bodyStart..];
        var whole = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(whole);
        writer.WriteExtensionFormat(new ExtensionResult(header.TypeCode, new ReadOnlySequence<byte>(body)));
        writer.Flush();
        return whole.WrittenSpan.ToArray();
    }
}
