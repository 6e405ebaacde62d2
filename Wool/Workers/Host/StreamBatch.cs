using Google.Protobuf;
using Wool.Workers.Protocol;

namespace Wool.Workers.Host;

/// <summary>
/// The items a streaming call's pump has produced but not yet sent: one frame carries them all
/// (a lone item travels as a plain value frame), handed to <c>send</c>. Bounded in count and bytes so that a batch stays far
/// below a message's size limit; an item too large to share a frame is sent alone. Used by one pump
/// at a time, so not thread-safe.
/// </summary>
internal sealed class StreamBatch(ulong id, Action<ServerFrame> send)
{
    /// <summary>At most this many items in one frame: the caller's credit bounds it further.</summary>
    public const int MaxItems = 256;

    /// <summary>A batch closes once its items reach this size (an item over it goes alone).</summary>
    public const int MaxBytes = 64 * 1024;

    private StreamItems _items = new();
    private int _bytes;

    public bool IsEmpty => _items.Values.Count == 0;

    /// <summary>Whether the next item should go in a new frame (it is sent when this returns true).</summary>
    public bool IsFull => _items.Values.Count >= MaxItems || _bytes >= MaxBytes;

    /// <summary>Adds an item; sends the batch first when the item would take it over its size.</summary>
    public void Add(ReadOnlyMemory<byte> item)
    {
        if (!IsEmpty && _bytes + item.Length > MaxBytes)
        {
            Send();
        }

        _items.Values.Add(UnsafeByteOperations.UnsafeWrap(item));
        _bytes += item.Length;
    }

    /// <summary>Sends what the batch holds, if anything, and starts a new one.</summary>
    public void Send()
    {
        switch (_items.Values.Count)
        {
            case 0:
                return;
            case 1:
                send(new ServerFrame { Id = id, Value = _items.Values[0] });
                _items.Values.Clear();
                break;
            default:
                // The frame keeps this message: the next batch gets its own.
                send(new ServerFrame { Id = id, Items = _items });
                _items = new StreamItems();
                break;
        }

        _bytes = 0;
    }
}
