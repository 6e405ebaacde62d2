using System.Buffers;
using System.Collections;
using MessagePack;
using MessagePack.Formatters;
using Wool.Serialization.Types;

namespace Wool.Serialization;

/// <summary>
/// The diagnostic state an exception carries besides its message and stack trace: its
/// <see cref="Exception.Data"/> entries and the fields of derived exception types. An entry that
/// cannot be written travels as its text; an entry of a type this process may not rebuild is
/// skipped on reading, never built, and the exception still arrives.
/// </summary>
internal static class ExceptionState
{
    public static void WriteData(ref MessagePackWriter writer, IDictionary? data, MessagePackSerializerOptions options)
    {
        if (data is null || data.Count == 0)
        {
            writer.WriteNil();
            return;
        }

        writer.WriteMapHeader(data.Count);
        foreach (DictionaryEntry entry in data)
        {
            WriteOrDescribe(ref writer, entry.Key, options);
            WriteOrDescribe(ref writer, entry.Value, options);
        }
    }

    /// <summary>
    /// Data entries are diagnostics: one that cannot be copied is sent as its text rather than
    /// losing the exception's type (documented in the serialization README).
    /// </summary>
    private static void WriteOrDescribe(ref MessagePackWriter writer, object? value, MessagePackSerializerOptions options)
    {
        var scratch = new ArrayBufferWriter<byte>();
        var scratchWriter = writer.Clone(scratch);
        try
        {
            WoolSerializer.WriteNested(ref scratchWriter, value, options);
            scratchWriter.Flush();
            writer.WriteRaw(scratch.WrittenSpan);
        }
        catch (Exception)
        {
            writer.Write(value?.ToString());
        }
    }

    public static List<KeyValuePair<object, object?>>? ReadData(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        int count = reader.ReadMapHeader();
        var data = new List<KeyValuePair<object, object?>>(count);
        for (int i = 0; i < count; i++)
        {
            object key = ReadGuarded(ref reader, options) ?? string.Empty;
            data.Add(new(key, ReadGuarded(ref reader, options)));
        }

        return data;
    }

    public static void WriteFields(ref MessagePackWriter writer, Exception value, MessagePackSerializerOptions options)
    {
        var fields = ExceptionFields.Of(value.GetType());
        var scratch = new ArrayBufferWriter<byte>();
        var scratchWriter = writer.Clone(scratch);
        try
        {
            scratchWriter.WriteMapHeader(fields.Count);
            foreach (var (name, field) in fields)
            {
                scratchWriter.Write(name);
                try
                {
                    WoolSerializer.WriteNested(ref scratchWriter, field.GetValue(value), options);
                }
                catch (ValueRefusedException refused)
                {
                    refused.ReachedThrough(field);
                    throw;
                }
            }

            scratchWriter.Flush();
            writer.WriteRaw(scratch.WrittenSpan);
        }
        catch (Exception e)
        {
            writer.Write($"some of its state cannot be copied: {SendFailure.Reason(e)}");
        }
    }

    public static Dictionary<string, object?> ReadFields(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        int count = reader.ReadMapHeader();
        var fields = new Dictionary<string, object?>(count, StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            string name = reader.ReadString() ?? string.Empty;
            object? value = ReadGuarded(ref reader, options);
            if (value is not NotRebuilt)
            {
                fields[name] = value;
            }
        }

        return fields;
    }

    /// <summary>
    /// One value of an exception's diagnostics (a Data entry, a field): a value of a type this process
    /// may not rebuild is skipped, not built, and stands as a note; the exception still arrives.
    /// </summary>
    private static object? ReadGuarded(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        MessagePackReader attempt = reader;
        try
        {
            object? value = WoolSerializer.ReadNested(ref attempt, options);
            reader = attempt;
            return value;
        }
        catch (Exception e) when (e is TypeAccessException || e.InnerException is TypeAccessException)
        {
            reader.Skip();
            return NotRebuilt.Instance;
        }
    }

    /// <summary>Stands for a value of a type this process may not rebuild.</summary>
    private sealed class NotRebuilt
    {
        public static readonly NotRebuilt Instance = new();

        public override string ToString() => "(a value of a type not allowed here)";
    }
}
