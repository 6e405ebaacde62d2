using Wool.Serialization;

namespace Wool.Routines;

/// <summary>
/// The outcome of a call or of one stream step: a serialized value, a serialized exception, or the
/// end of a stream. Where the exception was thrown (a worker, or this process for a local run),
/// <see cref="Error"/> keeps it for the worker's own telemetry; it never travels.
/// </summary>
internal readonly record struct RoutineReply(RoutineReplyKind Kind, ReadOnlyMemory<byte> Payload, Exception? Error = null)
{
    public static RoutineReply Value(ReadOnlyMemory<byte> payload) => new(RoutineReplyKind.Value, payload);

    public static RoutineReply Exception(ReadOnlyMemory<byte> payload) => new(RoutineReplyKind.Exception, payload);

    /// <summary>The reply for an exception thrown here: serialized for the caller, kept for this side's span.</summary>
    public static RoutineReply Failure(Exception error) => new(RoutineReplyKind.Exception, WoolSerializer.SerializeException(error), error);

    public static RoutineReply Completed { get; } = new(RoutineReplyKind.Completed, ReadOnlyMemory<byte>.Empty);
}
