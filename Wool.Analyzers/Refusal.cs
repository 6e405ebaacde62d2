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

        public Refusal(ITypeSymbol valueType, ProcessBoundKind kind, ImmutableArray<IFieldSymbol> path)
        {
            ValueType = valueType;
            Kind = kind;
            Path = path;
        }

        /// <summary>The type of the value refused.</summary>
        public ITypeSymbol ValueType { get; }

        public ProcessBoundKind Kind { get; }

        /// <summary>The fields from the value sent to the value refused, outermost first.</summary>
        public ImmutableArray<IFieldSymbol> Path { get; }

        public Refusal Through(IFieldSymbol field) => new Refusal(ValueType, Kind, Path.Insert(0, field));

        /// <summary>The message for <paramref name="what"/> ("argument 'x' of routine 'R'"), sent as a value of <paramref name="sentType"/>.</summary>
        public string Of(string what, ITypeSymbol sentType)
        {
            if (!Path.IsEmpty)
            {
                return $"Could not send {what}: {Detail(Path)}.";
            }

            return SymbolEqualityComparer.Default.Equals(sentType, ValueType)
                ? $"Could not send {what} ({Name(ValueType)}): it {ProcessBoundReasons.Problem(Kind)}. {ProcessBoundReasons.Remedy(Kind)}."
                : $"Could not send {what} ({Name(sentType)}): it holds a '{Name(ValueType)}', which {ProcessBoundReasons.Problem(Kind)}. {ProcessBoundReasons.Remedy(Kind)}.";
        }

        /// <summary>The message for a variable a lambda or local function captures.</summary>
        public string OfCaptured(string variable, string routine, ITypeSymbol variableType)
            => Path.IsEmpty && SymbolEqualityComparer.Default.Equals(variableType, ValueType)
                ? $"Could not send captured variable '{variable}' ({Name(ValueType)}) of routine '{routine}': it {ProcessBoundReasons.Problem(Kind)}. {ProcessBoundReasons.Remedy(Kind)}. {ProcessBoundReasons.ClosureAdvice}."
                : Of($"captured variable '{variable}' of routine '{routine}'", variableType);

        public string Detail(ImmutableArray<IFieldSymbol> path)
        {
            var field = path[path.Length - 1];
            string through = path.Length == 1 ? "" : $", reached through {string.Join(" → ", path.Take(path.Length - 1).Select(FieldName))},";
            return $"field {FieldName(field)} ({Name(ValueType)}){through} {ProcessBoundReasons.Problem(Kind)}. {ProcessBoundReasons.FieldRemedy(Kind)}";
        }

        public static string Name(ITypeSymbol type) => type.ToDisplayString(Short);

        private static string FieldName(IFieldSymbol field) => $"'{Name(field.ContainingType)}.{(field.AssociatedSymbol ?? field).Name}'";
    }
}
