namespace Wool.Routines;

/// <summary>The outcome of a call or of one stream step: a serialized value, a serialized exception, or the end of a stream.</summary>
internal readonly record struct RoutineReply(RoutineReplyKind Kind, ReadOnlyMemory<byte> Payload)
{
    public static RoutineReply Value(ReadOnlyMemory<byte> payload) => new(RoutineReplyKind.Value, payload);

    public static RoutineReply Exception(ReadOnlyMemory<byte> payload) => new(RoutineReplyKind.Exception, payload);

    public static RoutineReply Completed { get; } = new(RoutineReplyKind.Completed, ReadOnlyMemory<byte>.Empty);
}
