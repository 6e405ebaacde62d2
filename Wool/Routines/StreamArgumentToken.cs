namespace Wool.Routines;

/// <summary>
/// Stands in the serialized call for an <see cref="IAsyncEnumerable{T}"/> argument: the items are
/// not sent with the call but pulled by the routine, one by one, from the caller.
/// </summary>
internal sealed class StreamArgumentToken
{
    /// <summary>Which of the call's streamed arguments this is.</summary>
    public uint Slot { get; set; }

    /// <summary>The assembly-qualified name of the item type.</summary>
    public string ElementType { get; set; } = "";
}
