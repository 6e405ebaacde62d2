namespace Wool.Routines;

/// <summary>A streamed argument on the caller's side: the caller's own stream, boxed to objects.</summary>
internal sealed record StreamArgument(uint Slot, string ParameterName, IAsyncEnumerable<object?> Items);
