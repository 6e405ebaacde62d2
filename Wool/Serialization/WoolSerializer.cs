using System.Buffers;
using System.Reflection;
using System.Runtime.CompilerServices;
using MessagePack;
using MessagePack.Formatters;
using Wool.Routines;

namespace Wool.Serialization;

/// <summary>
/// Turns calls, results, stream items and exceptions into bytes and back, with MessagePack
/// typeless and Wool's resolver. Options are passed explicitly; MessagePack's process-wide
/// defaults are never changed. Thread-safe.
/// </summary>
/// <remarks>
/// A call is <c>[target, argument0, argument1, …]</c>, each element typeless. Each element is
/// written on its own so that a failure names the parameter or captured variable at fault.
/// </remarks>
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

    /// <summary>
    /// The largest serialized call or value Wool sends as one message (64 MiB less room for a
    /// batch of small frames sent with it). Larger values fail with a typed error for that call only.
    /// </summary>
    public const int MaxValueBytes = (64 * 1024 * 1024) - (2 * 1024 * 1024);

    public static byte[] SerializeCall(Routine routine, object? target, object?[] arguments)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(arguments.Length + 1);
        try
        {
            TypelessFormatter.Instance.Serialize(ref writer, target!, Options);
        }
        catch (Exception e)
        {
            throw new WoolSerializationException($"Could not send {ClosureDiagnostics.Describe(routine, target, e)}", e);
        }

        for (int i = 0; i < arguments.Length; i++)
        {
            try
            {
                TypelessFormatter.Instance.Serialize(ref writer, arguments[i]!, Options);
            }
            catch (Exception e)
            {
                throw new WoolSerializationException($"Could not send argument '{ParameterName(routine, i)}' of routine '{routine.Name}': {Reason(e)}.", e);
            }
        }

        writer.Flush();
        if (buffer.WrittenCount > MaxValueBytes)
        {
            throw new WoolSerializationException(TooLarge($"The call of routine '{routine.Name}'", buffer.WrittenCount));
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static string TooLarge(string what, long bytes)
        => $"{what} is {bytes / (1024.0 * 1024):0.#} MiB serialized, over the {MaxValueBytes / (1024 * 1024)} MiB a message may carry. " +
           "Send less per call, or stream it (an IAsyncEnumerable<T> argument or result moves one item per message).";

    public static object?[] DeserializeCall(Routine routine, ReadOnlyMemory<byte> payload, out object? target)
    {
        var reader = new MessagePackReader(payload);
        int count = ReadHeader(ref reader, routine);
        try
        {
            target = TypelessFormatter.Instance.Deserialize(ref reader, Options);
        }
        catch (Exception e)
        {
            throw new WoolSerializationException($"Could not receive the target (this or captured variables) of routine '{routine.Name}': {Reason(e)}.", e);
        }

        var arguments = new object?[count - 1];
        for (int i = 0; i < arguments.Length; i++)
        {
            try
            {
                arguments[i] = TypelessFormatter.Instance.Deserialize(ref reader, Options);
            }
            catch (Exception e)
            {
                throw new WoolSerializationException($"Could not receive argument '{ParameterName(routine, i)}' of routine '{routine.Name}': {Reason(e)}.", e);
            }
        }

        return arguments;
    }

    /// <summary>Serializes a routine's result or one item of its stream.</summary>
    public static byte[] SerializeValue(Routine routine, object? value, string what)
    {
        byte[] bytes;
        try
        {
            bytes = MessagePackSerializer.Serialize<object?>(value, Options);
        }
        catch (Exception e)
        {
            throw new WoolSerializationException($"Could not return the {what} of routine '{routine.Name}': {Reason(e)}.", e);
        }

        return bytes.Length <= MaxValueBytes ? bytes : throw new WoolSerializationException(TooLarge($"The {what} of routine '{routine.Name}'", bytes.Length));
    }

    public static T DeserializeValue<T>(Routine routine, ReadOnlyMemory<byte> payload, string what)
    {
        object? value;
        try
        {
            value = MessagePackSerializer.Deserialize<object?>(payload, Options);
        }
        catch (Exception e)
        {
            throw new WoolSerializationException($"Could not receive the {what} of routine '{routine.Name}': {Reason(e)}.", e);
        }

        return value is T typed ? typed : (T)Primitives.Convert(value, typeof(T))!;
    }

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

    public static Exception DeserializeException(Routine routine, ReadOnlyMemory<byte> payload)
    {
        try
        {
            return MessagePackSerializer.Deserialize<Exception>(payload, Options);
        }
        catch (Exception e)
        {
            return new WoolSerializationException($"Routine '{routine.Name}' failed, and its exception could not be received: {Reason(e)}.", e);
        }
    }

    internal static string Reason(Exception e) => e switch
    {
        WoolSerializationException => e.Message,
        MessagePackSerializationException { InnerException: { } inner } => Reason(inner),
        TargetInvocationException { InnerException: { } inner } => Reason(inner),
        _ => $"{e.GetType().Name}: {e.Message}",
    };

    private static int ReadHeader(ref MessagePackReader reader, Routine routine)
    {
        int count;
        try
        {
            count = reader.ReadArrayHeader();
        }
        catch (Exception e)
        {
            throw new WoolSerializationException($"Could not receive the call of routine '{routine.Name}': the payload is not a Wool call ({Reason(e)}).", e);
        }

        if (count != routine.ParameterNames.Count + 1)
        {
            throw new WoolSerializationException(
                $"Could not receive the call of routine '{routine.Name}': it carries {count - 1} arguments where the routine takes {routine.ParameterNames.Count}. Caller and worker must run the same build.");
        }

        return count;
    }

    private static string ParameterName(Routine routine, int index)
        => index < routine.ParameterNames.Count ? routine.ParameterNames[index] : $"#{index}";
}
