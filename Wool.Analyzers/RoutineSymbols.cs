using System.Collections.Concurrent;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Wool.Analyzers
{
    /// <summary>
    /// What the analyzer knows of routines in one compilation: which methods are marked, their
    /// <c>Prefetch</c>, and their names as the weaver and the runtime print them. Thread-safe
    /// (analyzer actions run concurrently); created per compilation.
    /// </summary>
    internal sealed class RoutineSymbols
    {
        private readonly INamedTypeSymbol _attribute;
        private readonly ConcurrentDictionary<IMethodSymbol, bool> _routines = new ConcurrentDictionary<IMethodSymbol, bool>(SymbolEqualityComparer.Default);

        private RoutineSymbols(Compilation compilation, INamedTypeSymbol attribute)
        {
            Compilation = compilation;
            _attribute = attribute;
            CancellationToken = compilation.GetTypeByMetadataName("System.Threading.CancellationToken");
        }

        public Compilation Compilation { get; }

        public INamedTypeSymbol CancellationToken { get; }

        /// <summary>The routine symbols of <paramref name="compilation"/>, or null when it does not reference Wool.</summary>
        public static RoutineSymbols For(Compilation compilation)
        {
            var attribute = compilation.GetTypeByMetadataName("Wool.RoutineAttribute");
            return attribute == null ? null : new RoutineSymbols(compilation, attribute);
        }

        public AttributeData Marker(ISymbol method)
            => method.GetAttributes().FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, _attribute));

        public bool IsMarked(IMethodSymbol method)
            => _routines.GetOrAdd(method.OriginalDefinition, m => Marker(m) != null);

        /// <summary>Whether a call to <paramref name="method"/> goes to a worker: it is marked, or overrides a marked method.</summary>
        public bool IsRoutineCall(IMethodSymbol method)
        {
            for (var current = method; current != null; current = current.OverriddenMethod)
            {
                if (IsMarked(current))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The <c>Prefetch</c> argument of the marker and where it is written, or null when it is not set.</summary>
        public static (int Value, Location Location)? Prefetch(AttributeData marker)
        {
            foreach (var argument in marker.NamedArguments)
            {
                if (argument.Key == "Prefetch" && argument.Value.Value is int value)
                {
                    var syntax = marker.ApplicationSyntaxReference?.GetSyntax() as AttributeSyntax;
                    var written = syntax?.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.Text == "Prefetch");
                    return (value, written?.GetLocation() ?? syntax?.GetLocation() ?? Location.None);
                }
            }

            return null;
        }

        public bool IsCancellationToken(ITypeSymbol type) => SymbolEqualityComparer.Default.Equals(type, CancellationToken);

        /// <summary>The routine's name as the weaver and the runtime print it: "Type.Method", "local function F in Type.Method", "lambda in Type.Method".</summary>
        public static string Display(IMethodSymbol method)
        {
            if (method.MethodKind != MethodKind.LambdaMethod && method.MethodKind != MethodKind.LocalFunction)
            {
                return TypeName(method.ContainingType) + "." + method.Name;
            }

            ISymbol outer = method.ContainingSymbol;
            while (outer is IMethodSymbol m && (m.MethodKind == MethodKind.LambdaMethod || m.MethodKind == MethodKind.LocalFunction))
            {
                outer = m.ContainingSymbol;
            }

            string where = TypeName(outer.ContainingType ?? outer as INamedTypeSymbol) + "." + (outer.Name == "<Main>$" ? "Main" : outer.Name);
            return method.MethodKind == MethodKind.LocalFunction ? $"local function {method.Name} in {where}" : $"lambda in {where}";
        }

        private static string TypeName(INamedTypeSymbol type)
        {
            if (type == null)
            {
                return "?";
            }

            if (type.Name.Length == 0 && type.ContainingType != null)
            {
                return TypeName(type.ContainingType); // A C# 14 extension block: its members belong to the static class.
            }

            string name = type.Name;
            int own = type.TypeParameters.Length;
            if (own > 0)
            {
                name += "<" + string.Join(", ", type.TypeParameters.Select(p => p.Name)) + ">";
            }

            return type.ContainingType != null ? TypeName(type.ContainingType) + "." + name : name;
        }
    }
}
