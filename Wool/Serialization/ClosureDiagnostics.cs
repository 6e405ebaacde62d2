using System.Buffers;
using System.Reflection;
using System.Runtime.CompilerServices;
using MessagePack;
using MessagePack.Formatters;

namespace Wool.Serialization;

/// <summary>
/// When <c>this</c> or a closure cannot be serialized, finds the field at fault and names it as
/// the user wrote it: the captured variable, or <c>this</c>. Runs on the failure path only.
/// </summary>
internal static class ClosureDiagnostics
{
    private const BindingFlags InstanceFields = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;

    public static string Describe(string routine, object? target, Exception failure)
    {
        string reason = WoolSerializer.Reason(failure);
        if (target is null)
        {
            return $"the target of routine '{routine}': {reason}.";
        }

        bool isClosure = IsClosure(target.GetType());
        string? path = FindFaultyField(target, isClosure);
        if (isClosure)
        {
            return path is null
                ? $"the captured variables of routine '{routine}': {reason}."
                : $"captured variable '{path}' of routine '{routine}': {reason}. " +
                  "A lambda or local function captures every variable of its scope that any closure there uses; " +
                  "copy what the routine needs into a local of its own scope, or pass it as an argument.";
        }

        return path is null
            ? $"'this' of routine '{routine}': {reason}."
            : $"'this' (field '{path}') of routine '{routine}': {reason}. Make the routine static and pass what it needs as arguments.";
    }

    private static bool IsClosure(Type type) => type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false);

    private static string? FindFaultyField(object owner, bool isClosure)
    {
        foreach (FieldInfo field in owner.GetType().GetFields(InstanceFields))
        {
            object? value = field.GetValue(owner);
            if (CanSerialize(value))
            {
                continue;
            }

            string name = isClosure ? CapturedName(field.Name) : field.Name;
            if (value is not null && isClosure && IsClosure(value.GetType()))
            {
                // An enclosing scope's closure: the culprit is one of its variables.
                return FindFaultyField(value, isClosure: true) ?? name;
            }

            return name;
        }

        return null;
    }

    private static string CapturedName(string fieldName)
        => fieldName.EndsWith("__this", StringComparison.Ordinal) ? "this" : fieldName;

    private static bool CanSerialize(object? value)
    {
        try
        {
            var writer = new MessagePackWriter(new ArrayBufferWriter<byte>());
            WoolSerializer.Write(ref writer, value);
            return true;
        }
        catch (Exception)
        {
            return false;
        }
    }
}
