using System.Buffers;
using System.Collections;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using MessagePack;
using MessagePack.Formatters;
using Wool.Serialization.Types;

namespace Wool.Serialization;

/// <summary>
/// Carries an exception across processes with its type, raw message, stack trace (which becomes
/// the remote stack trace), source, help link, HResult, <see cref="Exception.Data"/>, inner
/// exception and the fields of derived types. When the type cannot be rebuilt, a
/// <see cref="RemoteException"/> carries the same text instead.
/// </summary>
/// <remarks>Layout: [type, message, stackTrace, source, helpLink, hResult, data, inner, fields | reason].</remarks>
internal sealed class ExceptionFormatter<T> : IMessagePackFormatter<T>
    where T : Exception
{
    public static readonly ExceptionFormatter<T> Instance = new();

    private const int FieldCount = 9;

    public void Serialize(ref MessagePackWriter writer, T value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        // A RemoteException passing through a worker keeps standing for the original exception.
        var remote = value as RemoteException;
        writer.WriteArrayHeader(FieldCount);
        writer.Write(remote?.RemoteTypeName ?? value.GetType().AssemblyQualifiedName);
        writer.Write(remote is not null ? remote.RemoteMessage : ExceptionFields.Message?.GetValue(value) as string ?? value.Message);
        writer.Write(value.StackTrace);
        writer.Write(value.Source);
        writer.Write(value.HelpLink);
        writer.Write(value.HResult);
        ExceptionState.WriteData(ref writer, value.Data, options);
        ExceptionFormatter<Exception>.Instance.Serialize(ref writer, value.InnerException!, options);
        if (remote is not null)
        {
            writer.Write(remote.Reason);
        }
        else
        {
            ExceptionState.WriteFields(ref writer, value, options);
        }
    }

    public T Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null!;
        }

        options.Security.DepthStep(ref reader);
        try
        {
            Exception exception = Read(ref reader, options);
            return exception as T ?? throw new WoolSerializationException(
                $"received an exception of type '{exception.GetType()}' where a '{TypeNames.Readable(typeof(T))}' was expected");
        }
        finally
        {
            reader.Depth--;
        }
    }

    private static Exception Read(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        int count = reader.ReadArrayHeader();
        if (count != FieldCount)
        {
            throw new WoolSerializationException($"received an exception encoded with {count} fields instead of {FieldCount}; caller and worker run different Wool versions");
        }

        string typeName = reader.ReadString() ?? "System.Exception";
        // Decided before any of its state is read: a type this process may not rebuild has none read.
        Type? type = LoadExceptionType(typeName, options, out string? refused);
        string? message = reader.ReadString();
        string? stackTrace = reader.ReadString();
        string? source = reader.ReadString();
        string? helpLink = reader.ReadString();
        int hResult = reader.ReadInt32();
        List<KeyValuePair<object, object?>>? data = ExceptionState.ReadData(ref reader, options);
        Exception? inner = ExceptionFormatter<Exception>.Instance.Deserialize(ref reader, options);
        string? reason = null;
        Dictionary<string, object?>? fields = null;
        if (reader.NextMessagePackType == MessagePackType.String)
        {
            reason = reader.ReadString();
            type = null;
        }
        else if (type is null)
        {
            reason = refused;
            reader.Skip();
        }
        else
        {
            fields = ExceptionState.ReadFields(ref reader, options);
        }

        Exception exception = type is not null && TryRebuild(type, message, inner, fields!, out Exception? rebuilt, out reason)
            ? rebuilt
            : new RemoteException(typeName, message, reason!, inner);

        exception.Source = source;
        exception.HelpLink = helpLink;
        ExceptionFields.HResult.SetValue(exception, hResult);
        if (data is not null)
        {
            foreach (var (key, value) in data)
            {
                exception.Data[key] = value;
            }
        }

        if (stackTrace is not null)
        {
            ExceptionDispatchInfo.SetRemoteStackTrace(exception, stackTrace);
        }

        return exception;
    }

    private static Type? LoadExceptionType(string typeName, MessagePackSerializerOptions options, out string? reason)
    {
        Type? type;
        try
        {
            type = options.LoadType(typeName);
        }
        catch (Exception e)
        {
            reason = $"its type could not be loaded: {e.Message}";
            return null;
        }

        if (type is null || !typeof(Exception).IsAssignableFrom(type) || type.IsAbstract)
        {
            reason = type is null ? "its type is not available in this process" : "it is not a concrete exception type";
            return null;
        }

        if (options is AllowListOptions { Allowed: var allowed } && !allowed.AllowsWhole(type))
        {
            reason = TypeAllowList.Refusal(type);
            return null;
        }

        reason = null;
        return type;
    }

    private static bool TryRebuild(Type type, string? message, Exception? inner, Dictionary<string, object?> fields, out Exception exception, out string? reason)
    {
        exception = null!;
        if (ExceptionFields.Message is null || ExceptionFields.InnerException is null)
        {
            reason = "this runtime does not expose the exception fields Wool restores";
            return false;
        }

        try
        {
            // Like any deserializer, rebuild the state without running a constructor: constructors
            // format messages and validate arguments, which would alter what the routine threw.
            exception = (Exception)RuntimeHelpers.GetUninitializedObject(type);
            ExceptionFields.Message.SetValue(exception, message);
            ExceptionFields.InnerException.SetValue(exception, inner);
            var known = ExceptionFields.Of(type);
            foreach (var (name, value) in fields)
            {
                if (known.TryGetValue(name, out var field))
                {
                    field.SetValue(exception, Primitives.Convert(value, field.FieldType));
                }
            }

            reason = null;
            return true;
        }
        catch (Exception e)
        {
            reason = $"its state could not be restored: {e.Message}";
            return false;
        }
    }
}
