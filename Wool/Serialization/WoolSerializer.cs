using System.Buffers;
using MessagePack;
using MessagePack.Formatters;
using Wool.Serialization.Graph;
using Wool.Serialization.Types;

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
    /// bounds nesting (<see cref="WorkerLimits.MaxValueDepth"/>) and uses collision-resistant
    /// hashing for received dictionaries.
    /// </summary>
    private static MessagePackSerializerOptions Unrestricted(int depth) => MessagePackSerializerOptions.Standard
        .WithResolver(WoolResolver.Instance)
        .WithSecurity(MessagePackSecurity.UntrustedData.WithMaximumObjectGraphDepth(depth));

    private static readonly Lock s_allowing = new();
    private static AllowListOptions s_options = new(Unrestricted(WorkerLimits.Default.MaxValueDepth), TypeAllowList.Application);

    /// <summary>The options every Wool message uses, restricted to the types this process rebuilds (<see cref="TypeAllowList"/>).</summary>
    public static MessagePackSerializerOptions Options => Volatile.Read(ref s_options);

    /// <summary>The types this process rebuilds from payloads.</summary>
    public static TypeAllowList AllowedTypes => Volatile.Read(ref s_options).Allowed;

    /// <summary>
    /// From now on, this process also rebuilds the types <paramref name="entries"/> name: a worker's
    /// <c>--allow-type</c> entries at start, a pool's <see cref="WorkerPoolOptions.AllowedTypes"/>
    /// (the list only grows: pools in one process share it).
    /// </summary>
    /// <exception cref="ArgumentException">An entry is empty, or allows everything.</exception>
    public static void Allow(IEnumerable<string> entries)
    {
        lock (s_allowing)
        {
            // An entry given again (a shipped build loaded again, say) does not grow the list.
            List<string> list = [.. entries.Where(e => !AllowedTypes.Has(e)).Distinct(StringComparer.Ordinal)];
            if (list.Count > 0)
            {
                Volatile.Write(ref s_options, new AllowListOptions(Options, AllowedTypes.With(list)));
            }
        }
    }

    /// <summary>Throws, naming the option, unless this process may rebuild <paramref name="type"/> (and its type arguments).</summary>
    /// <exception cref="TypeAccessException">It may not.</exception>
    public static void CheckAllowed(Type type)
    {
        if (!AllowedTypes.AllowsWhole(type))
        {
            throw new TypeAccessException(TypeAllowList.Refusal(type));
        }
    }

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

    /// <summary>How deeply values may nest (<see cref="WorkerLimits.MaxValueDepth"/>: a worker's own, or the largest of its pools').</summary>
    public static int DepthLimit => Options.Security.MaximumObjectGraphDepth;

    /// <summary>Sets the depth limit (a worker, at start).</summary>
    public static void LimitDepthTo(int levels) => SetDepth(levels, raiseOnly: false);

    /// <summary>Raises the depth limit to at least <paramref name="levels"/> (a pool).</summary>
    public static void AllowDepthUpTo(int levels) => SetDepth(levels, raiseOnly: true);

    private static void SetDepth(int levels, bool raiseOnly)
    {
        lock (s_allowing)
        {
            if (!raiseOnly || levels > DepthLimit)
            {
                Volatile.Write(ref s_options, new AllowListOptions(Unrestricted(levels), AllowedTypes));
            }
        }
    }

    /// <summary>
    /// Starts a message on this thread: objects met twice within it travel once
    /// (<see cref="ObjectGraph"/>). <see cref="Write"/> and <see cref="Read"/> run inside one; the
    /// other methods open their own.
    /// </summary>
    public static ObjectGraph OpenMessage() => ObjectGraph.Open();

    /// <summary>Writes one value of the current message, typeless (its runtime type travels with it), then the objects it deferred.</summary>
    public static void Write(ref MessagePackWriter writer, object? value)
    {
        MessagePackSerializerOptions options = Options;
        ObjectSlotFormatter.WriteTypeless(ref writer, value, options);
        ObjectGraph.Current.WriteDeferred(ref writer, options);
    }

    /// <summary>Reads one value written by <see cref="Write"/>.</summary>
    public static object? Read(ref MessagePackReader reader)
    {
        MessagePackSerializerOptions options = Options;
        object? value = ObjectSlotFormatter.Instance.Deserialize(ref reader, options);
        ObjectGraph.Current.ReadDeferred(ref reader, options);
        return value;
    }

    /// <summary>Writes a value as a message of its own inside another (an exception's field or data entry): its references stay within it.</summary>
    public static void WriteNested(ref MessagePackWriter writer, object? value, MessagePackSerializerOptions options)
    {
        using ObjectGraph graph = OpenMessage();
        ObjectSlotFormatter.WriteTypeless(ref writer, value, options);
        graph.WriteDeferred(ref writer, options);
    }

    /// <summary>Reads a value written by <see cref="WriteNested"/>.</summary>
    public static object? ReadNested(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        using ObjectGraph graph = OpenMessage();
        object? value = ObjectSlotFormatter.Instance.Deserialize(ref reader, options);
        graph.ReadDeferred(ref reader, options);
        return value;
    }

    /// <summary>Serializes one value as a message of its own (a result, a stream item, a context value), typeless.</summary>
    public static byte[] Serialize(object? value)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        var writer = new MessagePackWriter(buffer);
        using (OpenMessage())
        {
            Write(ref writer, value);
        }

        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a value written by <see cref="Serialize"/>.</summary>
    public static object? Deserialize(ReadOnlyMemory<byte> bytes)
    {
        var reader = new MessagePackReader(bytes);
        using (OpenMessage())
        {
            return Read(ref reader);
        }
    }

    /// <summary>Reads an exception written by <see cref="SerializeException"/>.</summary>
    public static Exception DeserializeException(ReadOnlyMemory<byte> bytes)
    {
        using (OpenMessage())
        {
            return MessagePackSerializer.Deserialize<Exception>(bytes, Options);
        }
    }

    /// <summary>Why a value is too large to send, and what to do instead.</summary>
    public static string TooLarge(string what, long bytes, int limit)
        => $"{what} is {bytes / (1024.0 * 1024):0.##} MiB serialized, over the {limit / (1024.0 * 1024):0.##} MiB a message may carry (WorkerLimits.MaxMessageSize, --max-message-size). " +
           "Send less per call, or stream it (an IAsyncEnumerable<T> argument or result moves one item per message), or raise the limit on the pool and its workers alike.";


    /// <summary>Serializes an exception; never throws (state that cannot be copied degrades to <see cref="RemoteException"/>).</summary>
    public static byte[] SerializeException(Exception exception)
    {
        try
        {
            using (OpenMessage())
            {
                return MessagePackSerializer.Serialize(exception, Options);
            }
        }
        catch (Exception e)
        {
            var stand_in = new RemoteException(exception.GetType().AssemblyQualifiedName!, exception.Message, $"it could not be serialized: {Reason(e)}", null);
            using (OpenMessage())
            {
                return MessagePackSerializer.Serialize<Exception>(stand_in, Options);
            }
        }
    }

    internal static string Reason(Exception e) => FailureReason.Of(e);
}
