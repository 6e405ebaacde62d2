using Wool.Serialization;

namespace Wool.Context;

/// <summary>
/// One context value: either set in this process (a live value, serialized once when a call
/// carries it) or received from a caller (bytes, deserialized once when a var reads it, and sent
/// on unchanged to nested calls). Immutable apart from those two caches; thread-safe.
/// </summary>
internal sealed class ContextEntry
{
    private readonly object? _value;
    private readonly bool _hasValue;
    private ReadOnlyMemory<byte>? _bytes;
    private object? _materialized;
    private Exception? _materializeError;
    private int _materializedState; // 0 not yet, 1 done

    private ContextEntry(object? value, bool hasValue, ReadOnlyMemory<byte>? bytes)
    {
        _value = value;
        _hasValue = hasValue;
        _bytes = bytes;
    }

    public static ContextEntry FromValue(object? value) => new(value, hasValue: true, bytes: null);

    public static ContextEntry FromBytes(ReadOnlyMemory<byte> bytes) => new(null, hasValue: false, bytes);

    /// <summary>The serialized value; throws <see cref="WoolSerializationException"/> naming the var when it cannot be serialized.</summary>
    public ReadOnlyMemory<byte> GetBytes(string name)
    {
        if (_bytes is { } bytes)
        {
            return bytes;
        }

        try
        {
            bytes = WoolSerializer.Serialize(_value);
        }
        catch (Exception e)
        {
            throw new WoolSerializationException($"Could not send context variable '{name}': {WoolSerializer.Reason(e)}. Set it to a value that can be copied, or leave it unset around routine calls.", e);
        }

        _bytes = bytes;
        return bytes;
    }

    /// <summary>The value, deserialized on first use when it was received; the error when it cannot be.</summary>
    public object? GetValue(out Exception? error)
    {
        if (_hasValue)
        {
            error = null;
            return _value;
        }

        if (Volatile.Read(ref _materializedState) == 0)
        {
            try
            {
                _materialized = WoolSerializer.Deserialize(_bytes!.Value);
            }
            catch (Exception e)
            {
                _materializeError = e;
            }

            Volatile.Write(ref _materializedState, 1);
        }

        error = _materializeError;
        return _materialized;
    }
}
