using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Wool.Serialization.Types;

namespace Wool.Analyzers
{
    /// <summary>
    /// A value that cannot travel, found in a static type, and the message the runtime would give
    /// (the wording of the runtime's <c>SendFailure</c>). Immutable.
    /// </summary>
    internal sealed class Refusal
    {
        private static readonly SymbolDisplayFormat Short = new SymbolDisplayFormat(
            typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypes,
            genericsOptions: SymbolDisplayGenericsOptions.IncludeTypeParameters,
            miscellaneousOptions: SymbolDisplayMiscellaneousOptions.UseSpecialTypes | SymbolDisplayMiscellaneousOptions.ExpandNullable);

        public Refusal(ITypeSymbol valueType, ProcessBoundKind kind, ImmutableArray<ISymbol> path)
        {
            ValueType = valueType;
            Kind = kind;
            Path = path;
        }

        /// <summary>The type of the value refused.</summary>
        public ITypeSymbol ValueType { get; }

        public ProcessBoundKind Kind { get; }

        /// <summary>The fields (or field-like events) from the value sent to the value refused, outermost first.</summary>
        public ImmutableArray<ISymbol> Path { get; }

        public Refusal Through(ISymbol field) => new Refusal(ValueType, Kind, Path.Insert(0, field));

        /// <summary>The message for <paramref name="what"/> ("argument 'x' of routine 'R'"), sent as a value of <paramref name="sentType"/>.</summary>
        /// <param name="what">The value's role, as the caller reads it.</param>
        /// <param name="sentType">The static type of the value sent.</param>
        /// <param name="verb">"send" (caller to worker) or "return" (worker to caller).</param>
        public string Of(string what, ITypeSymbol sentType, string verb = "send")
        {
            if (!Path.IsEmpty)
            {
                return $"Could not {verb} {what}: {Detail(Path)}.";
            }

            return SymbolEqualityComparer.Default.Equals(sentType, ValueType)
                ? $"Could not {verb} {what} ({Name(ValueType)}): it {ProcessBoundReasons.Problem(Kind)}. {ProcessBoundReasons.Remedy(Kind)}."
                : $"Could not {verb} {what} ({Name(sentType)}): it holds a '{Name(ValueType)}', which {ProcessBoundReasons.Problem(Kind)}. {ProcessBoundReasons.Remedy(Kind)}.";
        }

        /// <summary>The message for a variable a lambda or local function captures.</summary>
        public string OfCaptured(string variable, string routine, ITypeSymbol variableType)
            => Path.IsEmpty && SymbolEqualityComparer.Default.Equals(variableType, ValueType)
                ? $"Could not send captured variable '{variable}' ({Name(ValueType)}) of routine '{routine}': it {ProcessBoundReasons.Problem(Kind)}. {ProcessBoundReasons.Remedy(Kind)}. {ProcessBoundReasons.ClosureAdvice}."
                : Of($"captured variable '{variable}' of routine '{routine}'", variableType);

        public string Detail(ImmutableArray<ISymbol> path)
        {
            var field = path[path.Length - 1];
            string through = path.Length == 1 ? "" : $", reached through {string.Join(" → ", path.Take(path.Length - 1).Select(FieldName))},";
            string remedy = ProcessBoundReasons.FieldRemedy(Kind);
            if (field is IFieldSymbol f && ProcessBoundReasons.IsPrimaryConstructorParameter(f.Name))
            {
                remedy = ProcessBoundReasons.ForPrimaryConstructorParameter(remedy);
            }

            return $"field {FieldName(field)} ({Name(ValueType)}){through} {ProcessBoundReasons.Problem(Kind)}. {remedy}";
        }

        public static string Name(ITypeSymbol type) => type.ToDisplayString(Short);

        /// <summary>A field as its author wrote it: the property of a backing field, the parameter of a primary constructor, the event of a field-like event.</summary>
        private static string FieldName(ISymbol field)
        {
            string name = (field is IFieldSymbol f ? f.AssociatedSymbol ?? f : field).Name;
            int close = name.IndexOf('>');
            if (name.StartsWith("<", System.StringComparison.Ordinal) && close > 1)
            {
                name = name.Substring(1, close - 1);
            }

            return $"'{Name(field.ContainingType)}.{name}'";
        }
    }
}
