using System.Reflection;
using System.Runtime.CompilerServices;
using Wool.Serialization.Objects;
using Wool.Serialization.Types;

namespace Wool.Serialization;

/// <summary>
/// Says why a value could not be sent, as its author would look for it: the routine, the
/// parameter or captured variable (or <c>this</c>), the field through which the value at fault
/// was reached and its type, what is wrong and what to do, e.g. <c>Could not send 'this' of
/// routine 'OrderService.Process': field 'OrderService._connection' (SqlConnection) is bound to
/// this process: … . Mark it [NonSerialized] or pass what the routine needs as an argument (…).</c>
/// MessagePack's internals never reach the message; the exception keeps them as its inner exception.
/// </summary>
internal static class SendFailure
{
    private const string ClosureAdvice = ProcessBoundReasons.ClosureAdvice;

    /// <summary>The failure to send the target of <paramref name="routine"/>: <c>this</c>, or a closure's captured variables.</summary>
    public static WoolSerializationException OfTarget(string routine, object? target, Exception failure)
    {
        if (failure is not ValueRefusedException refused || target is null)
        {
            return new($"Could not send the target (this or captured variables) of routine '{routine}': {FailureReason.Of(failure)}.", failure);
        }

        IReadOnlyList<FieldInfo> path = refused.Path;
        if (!IsClosure(target.GetType()))
        {
            return new($"Could not send 'this' of routine '{routine}': {Detail(refused, path, advice: null)}.", refused.InnerException);
        }

        // Enclosing scopes' closures are links of the capture, not fields the user wrote.
        int first = 0;
        while (first < path.Count - 1 && IsClosure(path[first].FieldType))
        {
            first++;
        }

        if (first >= path.Count)
        {
            return new($"Could not send the captured variables of routine '{routine}': {refused.Message}", refused.InnerException);
        }

        string variable = path[first].Name.EndsWith("__this", StringComparison.Ordinal) ? "'this'" : $"captured variable '{FieldLayout.DisplayName(path[first])}'";
        IReadOnlyList<FieldInfo> rest = [.. path.Skip(first + 1)];
        return rest.Count == 0
            ? new($"Could not send {variable} ({TypeNames.Short(refused.ValueType)}) of routine '{routine}': it {refused.Problem}. {refused.Remedy}. {ClosureAdvice}.", refused.InnerException)
            : new($"Could not send {variable} of routine '{routine}': {Detail(refused, rest, ClosureAdvice)}.", refused.InnerException);
    }

    /// <summary>The failure to send <paramref name="what"/> ("argument 'order' of routine 'R'", "the result of routine 'R'").</summary>
    /// <param name="verb">"send" or "return".</param>
    /// <param name="what">The value's role, as the caller reads it.</param>
    /// <param name="failure">What failed.</param>
    /// <param name="value">The value that could not be sent, to tell the value from an element of it.</param>
    public static WoolSerializationException Of(string verb, string what, Exception failure, object? value = null)
    {
        if (failure is not ValueRefusedException refused)
        {
            return new($"Could not {verb} {what}: {FailureReason.Of(failure)}.", failure);
        }

        // The refusal stays home: it holds types, and a worker sends its failures back as exceptions.
        Exception? inner = refused.InnerException;
        if (refused.Path.Count > 0)
        {
            return new($"Could not {verb} {what}: {Detail(refused, refused.Path, advice: null)}.", inner);
        }

        return value is not null && value.GetType() != refused.ValueType
            ? new($"Could not {verb} {what} ({TypeNames.Short(value.GetType())}): it holds a '{TypeNames.Short(refused.ValueType)}', which {refused.Problem}. {refused.Remedy}.", inner)
            : new($"Could not {verb} {what} ({TypeNames.Short(refused.ValueType)}): it {refused.Problem}. {refused.Remedy}.", inner);
    }

    /// <summary>Why <paramref name="failure"/> happened, naming the field at fault, without a subject (for text inside another message).</summary>
    public static string Reason(Exception failure)
        => failure is ValueRefusedException refused ? Detail(refused, refused.Path, advice: null) : FailureReason.Of(failure);

    private static string Detail(ValueRefusedException refused, IReadOnlyList<FieldInfo> path, string? advice)
    {
        if (path.Count == 0)
        {
            return $"'{TypeNames.Short(refused.ValueType)}' {refused.Problem}. {refused.Remedy}" + (advice is null ? "" : $". {advice}");
        }

        FieldInfo field = path[^1];
        string through = path.Count == 1 ? "" : $", reached through {string.Join(" → ", path.Take(path.Count - 1).Select(Name))},";
        string remedy = ProcessBoundReasons.IsPrimaryConstructorParameter(field.Name) ? ProcessBoundReasons.ForPrimaryConstructorParameter(refused.FieldRemedy) : refused.FieldRemedy;
        return $"field {Name(field)} ({TypeNames.Short(refused.ValueType)}){through} {refused.Problem}. {remedy}";
    }

    private static string Name(FieldInfo field) => $"'{TypeNames.Short(field.DeclaringType!)}.{FieldLayout.DisplayName(field)}'";

    private static bool IsClosure(Type type) => type.IsDefined(typeof(CompilerGeneratedAttribute), inherit: false) && type.Name.Contains("DisplayClass", StringComparison.Ordinal);
}
