using Google.Protobuf;
using Google.Protobuf.Collections;
using Wool.Context;

namespace Wool.Workers.Protocol;

/// <summary>The caller's context values on the wire: one <see cref="ContextValue"/> per variable, its bytes passed through untouched.</summary>
internal static class ContextFrames
{
    public static void Write(RepeatedField<ContextValue> field, ContextValues values)
    {
        foreach (var (name, bytes) in values.Values)
        {
            field.Add(new ContextValue { Name = name, Value = UnsafeByteOperations.UnsafeWrap(bytes) });
        }
    }

    public static ContextValues Read(RepeatedField<ContextValue> field)
        => field.Count == 0
            ? ContextValues.Empty
            : new ContextValues(null, [.. field.Select(v => new KeyValuePair<string, ReadOnlyMemory<byte>>(v.Name, v.Value.Memory))]);
}
