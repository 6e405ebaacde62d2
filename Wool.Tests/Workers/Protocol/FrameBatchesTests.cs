using System.Threading.Channels;
using Google.Protobuf;
using Wool.Workers.Protocol;

namespace Wool.Tests.Workers.Protocol;

/// <summary>How frames are grouped into messages: what is ready travels together, up to 256 frames or 1 MiB, so a large frame travels alone.</summary>
[TestClass]
public sealed class FrameBatchesTests
{
    [TestMethod]
    public async Task SendAllAsync_ManySmallFrames_GroupsThemBy256()
    {
        var outbox = Channel.CreateUnbounded<ClientFrame>();
        for (ulong i = 1; i <= 600; i++)
        {
            outbox.Writer.TryWrite(new ClientFrame { Id = i, Pull = 1 });
        }

        outbox.Writer.Complete();
        var batches = new List<ClientBatch>();

        await FrameBatches.SendAllAsync(outbox.Reader, static (ClientBatch b) => b.Frames, b => { batches.Add(b); return Task.CompletedTask; }).WaitAsync(Timeouts.Default);

        CollectionAssert.AreEqual(new[] { 256, 256, 88 }, batches.Select(b => b.Frames.Count).ToArray());
        CollectionAssert.AreEqual(Enumerable.Range(1, 600).Select(i => (ulong)i).ToArray(), batches.SelectMany(b => b.Frames).Select(f => f.Id).ToArray(), "Frames must keep their order.");
    }

    [TestMethod]
    public async Task SendAllAsync_LargeFrames_TravelOnePerMessage()
    {
        var outbox = Channel.CreateUnbounded<ServerFrame>();
        for (ulong i = 1; i <= 3; i++)
        {
            outbox.Writer.TryWrite(new ServerFrame { Id = i, Value = ByteString.CopyFrom(new byte[1024 * 1024]) });
        }

        outbox.Writer.Complete();
        var batches = new List<ServerBatch>();

        await FrameBatches.SendAllAsync(outbox.Reader, static (ServerBatch b) => b.Frames, b => { batches.Add(b); return Task.CompletedTask; }).WaitAsync(Timeouts.Default);

        Assert.HasCount(3, batches);
        Assert.IsTrue(batches.All(b => b.CalculateSize() < WireProtocol.MessageLimit(WorkerLimits.Default.MaxMessageSize)));
    }
}
