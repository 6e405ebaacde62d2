using System.Threading.Channels;
using Google.Protobuf;
using Google.Protobuf.Collections;

namespace Wool.Workers.Protocol;

/// <summary>
/// How both ends of a connection send: every frame that is ready goes in one message, up to 256
/// frames or 1 MiB, so concurrent calls share round trips while a large frame travels alone and a
/// message stays far below the size limit.
/// </summary>
internal static class FrameBatches
{
    private const int MaxFrames = 256;
    private const int MaxBytes = 1024 * 1024;

    /// <summary>Writes the outbox's frames, batched, until the outbox completes. Write failures propagate.</summary>
    /// <param name="outbox">The frames to send.</param>
    /// <param name="framesOf">A batch's frames.</param>
    /// <param name="write">Sends one batch.</param>
    /// <param name="written">Told each batch's frames and their size once it is sent; null for none.</param>
    public static async Task SendAllAsync<TFrame, TBatch>(ChannelReader<TFrame> outbox, Func<TBatch, RepeatedField<TFrame>> framesOf, Func<TBatch, Task> write, Action<RepeatedField<TFrame>, int>? written = null)
        where TFrame : IMessage
        where TBatch : new()
    {
        while (await outbox.WaitToReadAsync().ConfigureAwait(false))
        {
            var batch = new TBatch();
            RepeatedField<TFrame> frames = framesOf(batch);
            int bytes = 0;
            while (frames.Count < MaxFrames && bytes < MaxBytes && outbox.TryRead(out TFrame? frame))
            {
                frames.Add(frame);
                bytes += frame.CalculateSize();
            }

            await write(batch).ConfigureAwait(false);
            written?.Invoke(frames, bytes);
        }
    }
}
