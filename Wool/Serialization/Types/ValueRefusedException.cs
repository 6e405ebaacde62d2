using System.Reflection;

namespace Wool.Serialization.Types;

/// <summary>
/// A value that cannot be written (or rebuilt), with what it is, why, what to do, and the fields
/// through which the writer reached it (<see cref="Path"/>, outermost first, filled in as the
/// failure unwinds through each object). Internal: the caller sees a
/// <see cref="WoolSerializationException"/> whose message names the routine, the parameter or
/// captured variable, and the field (<c>Serialization/SendFailure</c> composes it).
/// </summary>
internal sealed class ValueRefusedException : Exception
{
    private readonly List<FieldInfo> _path = [];

    /// <param name="valueType">The type of the value refused.</param>
    /// <param name="problem">What is wrong, as a predicate ("is bound to this process: …").</param>
    /// <param name="remedy">What to do, as a sentence without its final period.</param>
    /// <param name="fieldRemedy">What to do when the value sits in a field (e.g. mark it [NonSerialized]); null for <paramref name="remedy"/>.</param>
    /// <param name="inner">The underlying failure, kept for diagnostics only.</param>
    public ValueRefusedException(Type valueType, string problem, string remedy, string? fieldRemedy = null, Exception? inner = null)
        : base($"'{TypeNames.Short(valueType)}' {problem}. {remedy}.", inner)
    {
        ValueType = valueType;
        Problem = problem;
        Remedy = remedy;
        FieldRemedy = fieldRemedy ?? remedy;
    }

    public Type ValueType { get; }

    public string Problem { get; }

    public string Remedy { get; }

    public string FieldRemedy { get; }

    /// <summary>The fields from the value sent to the value refused, outermost first.</summary>
    public IReadOnlyList<FieldInfo> Path => _path;

    /// <summary>Records that the refused value was reached through <paramref name="field"/> (called while unwinding, so innermost first).</summary>
    public void ReachedThrough(FieldInfo field) => _path.Insert(0, field);

    /// <summary>A fresh exception of the same refusal (one is thrown per value, each collecting its own <see cref="Path"/>).</summary>
    public ValueRefusedException Copy() => new(ValueType, Problem, Remedy, FieldRemedy, InnerException);

    /// <summary>A value of a type the allow-list does not name (the receiver would refuse it; the sender refuses it first).</summary>
    public static ValueRefusedException NotAllowed(Type type)
        => new(type, "is of a type not allowed here: only the application's own assemblies, common framework types and listed types travel",
            $"List it on the pool (WorkerPoolOptions.AllowedTypes) and its workers (--allow-type): {TypeAllowList.EntriesFor(type)}");

    /// <summary>A value bound to this process.</summary>
    public static ValueRefusedException Bound(Type type, ProcessBoundKind kind)
        => new(type, ProcessBoundReasons.Problem(kind), ProcessBoundReasons.Remedy(kind), ProcessBoundReasons.FieldRemedy(kind));
}
