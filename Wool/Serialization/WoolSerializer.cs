using System.Reflection;
using MessagePack;
using MessagePack.Formatters;

namespace Wool.Serialization;

/// <summary>
/// Turns values and exceptions into bytes and back, with MessagePack typeless (each value carries
/// its runtime type) and Wool's resolver. Options are passed explicitly; MessagePack's process-wide
/// defaults are never changed. Knows values, not calls: <c>Routines/RoutinePayload</c> lays out a
/// call and names the routine, parameter or variable in every error. Thread-safe.
/// </summary>
internal static class WoolSerializer
{
    /// <summary>
    /// The options every Wool message uses. <see cref="MessagePackSecurity.UntrustedData"/>
    /// bounds reading depth and uses collision-resistant hashing for received dictionaries.
    /// </summary>
    public static MessagePackSerializerOptions Options { get; private set; } = MessagePackSerializerOptions.Standard
        .WithResolver(WoolResolver.Instance)
        .WithSecurity(MessagePackSecurity.UntrustedData);

    /// <summary>
    /// From now on, this process rebuilds only the types <paramref name="allowed"/> lists from any
    /// payload. A worker calls it once at start, before it serves (<c>--allow-type</c>).
    /// </summary>
    public static void Restrict(TypeAllowList allowed) => Options = new AllowListOptions(Options, allowed);

    private static int s_valueLimit = WorkerLimits.Default.MaxMessageSize;

    /// <summary>
    /// The largest serialized call or value this process makes or accepts as one message
    /// (<see cref="WorkerLimits.MaxMessageSize"/>: a worker's own, or the largest of its pools').
    /// Larger values fail with a typed error for that call only.
    /// </summary>
    public static int ValueLimit => Volatile.Read(ref s_valueLimit);

    /// <summary>Sets the limit (a worker, at start).</summary>
    public static void LimitValuesTo(int bytes) => Volatile.Write(ref s_valueLimit, bytes);

    /// <summary>Raises the limit to at least <paramref name="bytes"/> (a pool; each link still applies its own).</summary>
    public static void AllowValuesUpTo(int bytes)
    {
        int current;
        while ((current = Volatile.Read(ref s_valueLimit)) < bytes && Interlocked.CompareExchange(ref s_valueLimit, bytes, current) != current)
        {
        }
    }

    /// <summary>Writes one value, typeless (its runtime type travels with it).</summary>
    public static void Write(ref MessagePackWriter writer, object? value) => TypelessFormatter.Instance.Serialize(ref writer, value!, Options);

    /// <summary>Reads one value written by <see cref="Write"/>.</summary>
    public static object? Read(ref MessagePackReader reader) => TypelessFormatter.Instance.Deserialize(ref reader, Options);

    /// <summary>Serializes one value on its own (a result, a stream item), typeless.</summary>
    public static byte[] Serialize(object? value) => MessagePackSerializer.Serialize<object?>(value, Options);

    /// <summary>Reads a value written by <see cref="Serialize"/>.</summary>
    public static object? Deserialize(ReadOnlyMemory<byte> bytes) => MessagePackSerializer.Deserialize<object?>(bytes, Options);

    /// <summary>Reads an exception written by <see cref="SerializeException"/>.</summary>
    public static Exception DeserializeException(ReadOnlyMemory<byte> bytes) => MessagePackSerializer.Deserialize<Exception>(bytes, Options);

    /// <summary>Why a value is too large to send, and what to do instead.</summary>
    public static string TooLarge(string what, long bytes, int limit)
        => $"{what} is {bytes / (1024.0 * 1024):0.##} MiB serialized, over the {limit / (1024.0 * 1024):0.##} MiB a message may carry (WorkerLimits.MaxMessageSize, --max-message-size). " +
           "Send less per call, or stream it (an IAsyncEnumerable<T> argument or result moves one item per message), or raise the limit on the pool and its workers alike.";

    /// <summary>Serializes the value of a context variable (typeless: its runtime type travels).</summary>
    public static byte[] SerializeContextValue(object? value) => MessagePackSerializer.Serialize(value, Options);

    public static object? DeserializeContextValue(ReadOnlyMemory<byte> bytes) => MessagePackSerializer.Deserialize<object?>(bytes, Options);

    /// <summary>Serializes an exception; never throws (state that cannot be copied degrades to <see cref="RemoteException"/>).</summary>
    public static byte[] SerializeException(Exception exception)
    {
        try
        {
            return MessagePackSerializer.Serialize(exception, Options);
        }
        catch (Exception e)
        {
            var stand_in = new RemoteException(exception.GetType().AssemblyQualifiedName!, exception.Message, $"it could not be serialized: {Reason(e)}", null);
            return MessagePackSerializer.Serialize<Exception>(stand_in, Options);
        }
    }

    internal static string Reason(Exception e) => e switch
    {
        WoolSerializationException => e.Message,
        MessagePackSerializationException { InnerException: { } inner } => Reason(inner),
        TargetInvocationException { InnerException: { } inner } => Reason(inner),
        _ => $"{e.GetType().Name}: {e.Message}",
    };
}
