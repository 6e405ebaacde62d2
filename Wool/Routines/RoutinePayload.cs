using System.Buffers;
using MessagePack;
using Wool.Serialization;

namespace Wool.Routines;

/// <summary>
/// The bytes of a routine's call and replies: a call is <c>[target, argument0, argument1, …]</c>,
/// each element written on its own (typeless) so that a failure names the parameter or captured
/// variable at fault; a result, stream item or streamed-argument item is one value; an exception
/// is one exception. Every failure is a <see cref="WoolSerializationException"/> that names the
/// routine. Thread-safe.
/// </summary>
internal static class RoutinePayload
{
    /// <exception cref="WoolSerializationException">The target or an argument cannot be serialized, or the call is too large.</exception>
    public static byte[] SerializeCall(Routine routine, object? target, object?[] arguments)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        var writer = new MessagePackWriter(buffer);
        writer.WriteArrayHeader(arguments.Length + 1);

        // One message: an object reached from two arguments (or from the target) arrives as one object.
        using (WoolSerializer.OpenMessage())
        {
            try
            {
                WoolSerializer.Write(ref writer, target);
            }
            catch (Exception e)
            {
                throw SendFailure.OfTarget(routine.Name, target, e);
            }

            for (int i = 0; i < arguments.Length; i++)
            {
                try
                {
                    WoolSerializer.Write(ref writer, arguments[i]);
                }
                catch (Exception e)
                {
                    throw SendFailure.Of("send", $"argument '{ParameterName(routine, i)}' of routine '{routine.Name}'", e, arguments[i]);
                }
            }
        }

        writer.Flush();
        if (buffer.WrittenCount > WoolSerializer.ValueLimit)
        {
            throw new WoolSerializationException(WoolSerializer.TooLarge($"The call of routine '{routine.Name}'", buffer.WrittenCount, WoolSerializer.ValueLimit));
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <exception cref="WoolSerializationException">The payload is not a call of this routine, or a value cannot be rebuilt here.</exception>
    public static object?[] DeserializeCall(Routine routine, ReadOnlyMemory<byte> payload, out object? target)
    {
        var reader = new MessagePackReader(payload);
        int count = ReadHeader(ref reader, routine);
        using (WoolSerializer.OpenMessage())
        {
            try
            {
                target = WoolSerializer.Read(ref reader);
            }
            catch (Exception e)
            {
                throw new WoolSerializationException($"Could not receive the target (this or captured variables) of routine '{routine.Name}': {WoolSerializer.Reason(e)}.", e);
            }

            var arguments = new object?[count - 1];
            for (int i = 0; i < arguments.Length; i++)
            {
                try
                {
                    arguments[i] = WoolSerializer.Read(ref reader);
                }
                catch (Exception e)
                {
                    throw new WoolSerializationException($"Could not receive argument '{ParameterName(routine, i)}' of routine '{routine.Name}': {WoolSerializer.Reason(e)}.", e);
                }
            }

            return arguments;
        }
    }

    /// <summary>Serializes a routine's result, one item of its stream, or one item of a streamed argument (<paramref name="what"/> names it).</summary>
    public static byte[] SerializeValue(Routine routine, object? value, string what)
    {
        byte[] bytes;
        try
        {
            bytes = WoolSerializer.Serialize(value);
        }
        catch (Exception e)
        {
            throw SendFailure.Of("return", $"the {what} of routine '{routine.Name}'", e, value);
        }

        int limit = WoolSerializer.ValueLimit;
        return bytes.Length <= limit ? bytes : throw new WoolSerializationException(WoolSerializer.TooLarge($"The {what} of routine '{routine.Name}'", bytes.Length, limit));
    }

    public static T DeserializeValue<T>(Routine routine, ReadOnlyMemory<byte> payload, string what)
    {
        try
        {
            object? value = WoolSerializer.Deserialize(payload);
            return value is T typed ? typed : (T)Primitives.Convert(value, typeof(T))!;
        }
        catch (Exception e)
        {
            throw new WoolSerializationException($"Could not receive the {what} of routine '{routine.Name}': {WoolSerializer.Reason(e)}.", e);
        }
    }

    /// <summary>What the routine threw; a <see cref="WoolSerializationException"/> naming the routine when the exception cannot be rebuilt here.</summary>
    public static Exception DeserializeException(Routine routine, ReadOnlyMemory<byte> payload)
    {
        try
        {
            return WoolSerializer.DeserializeException(payload);
        }
        catch (Exception e)
        {
            return new WoolSerializationException($"Routine '{routine.Name}' failed, and its exception could not be received: {WoolSerializer.Reason(e)}.", e);
        }
    }

    private static int ReadHeader(ref MessagePackReader reader, Routine routine)
    {
        int count;
        try
        {
            count = reader.ReadArrayHeader();
        }
        catch (Exception e)
        {
            throw new WoolSerializationException($"Could not receive the call of routine '{routine.Name}': the payload is not a Wool call ({WoolSerializer.Reason(e)}).", e);
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
