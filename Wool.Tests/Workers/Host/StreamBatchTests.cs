using Wool.Workers.Host;
using Wool.Workers.Protocol;

namespace Wool.Tests.Workers.Host;

[TestClass]
public sealed class StreamBatchTests
{
    private readonly List<ServerFrame> _sent = [];

    [TestMethod]
    public void Send_SeveralItems_OneFrameWithAllInOrder()
    {
        var batch = new StreamBatch(7, _sent.Add);
        batch.Add(new byte[] { 1 });
        batch.Add(new byte[] { 2 });
        batch.Add(new byte[] { 3 });

        batch.Send();

        Assert.HasCount(1, _sent);
        Assert.AreEqual(7UL, _sent[0].Id);
        CollectionAssert.AreEqual(new byte[] { 1, 2, 3 }, _sent[0].Items.Values.Select(v => v[0]).ToArray());
        Assert.IsTrue(batch.IsEmpty);
    }

    [TestMethod]
    public void Send_OneItem_PlainValueFrame()
    {
        var batch = new StreamBatch(7, _sent.Add);
        batch.Add(new byte[] { 9 });

        batch.Send();
        batch.Send();

        Assert.HasCount(1, _sent);
        Assert.AreEqual(ServerFrame.KindOneofCase.Value, _sent[0].KindCase);
        Assert.AreEqual(9, _sent[0].Value[0]);
    }

    [TestMethod]
    public void IsFull_AtMaxItems_True()
    {
        var batch = new StreamBatch(1, _sent.Add);
        for (int i = 0; i < StreamBatch.MaxItems - 1; i++)
        {
            batch.Add(new byte[] { 1 });
        }

        Assert.IsFalse(batch.IsFull);
        batch.Add(new byte[] { 1 });
        Assert.IsTrue(batch.IsFull);
    }

    [TestMethod]
    public void Add_ItemThatWouldPassMaxBytes_SendsTheBatchBeforeIt()
    {
        var batch = new StreamBatch(1, _sent.Add);
        batch.Add(new byte[StreamBatch.MaxBytes - 10]);

        batch.Add(new byte[20]);

        // The first frame went alone (as a value); the second item starts the next batch.
        Assert.HasCount(1, _sent);
        Assert.AreEqual(StreamBatch.MaxBytes - 10, _sent[0].Value.Length);
        Assert.IsFalse(batch.IsEmpty);
    }

    [TestMethod]
    public void Send_AfterASend_BatchesAreSeparateMessages()
    {
        var batch = new StreamBatch(1, _sent.Add);
        batch.Add(new byte[] { 1 });
        batch.Add(new byte[] { 2 });
        batch.Send();
        batch.Add(new byte[] { 3 });
        batch.Add(new byte[] { 4 });
        batch.Send();

        Assert.HasCount(2, _sent);
        Assert.AreNotSame(_sent[0].Items, _sent[1].Items);
        Assert.HasCount(2, _sent[0].Items.Values);
        Assert.AreEqual(3, _sent[1].Items.Values[0][0]);
    }
}
