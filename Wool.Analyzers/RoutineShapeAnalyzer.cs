using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Wool.Fody;

namespace Wool.Analyzers
{
    /// <summary>
    /// WOOL001–010 while typing: the shapes the weaver cannot move to a worker, reported at the
    /// exact place (the name, the return type, the parameter, the Prefetch argument) with the
    /// weaver's words. Covers methods, local functions and lambdas marked [Routine].
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class RoutineShapeAnalyzer : DiagnosticAnalyzer
    {
        private static readonly string[] Supported =
        {
            "System.Threading.Tasks.Task", "System.Threading.Tasks.Task`1", "System.Threading.Tasks.ValueTask",
            "System.Threading.Tasks.ValueTask`1", "System.Collections.Generic.IAsyncEnumerable`1",
        };

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
            WoolDescriptors.NotAsync, WoolDescriptors.WrongReturnType, WoolDescriptors.AsyncVoid, WoolDescriptors.ByReference,
            WoolDescriptors.NotCopyable, WoolDescriptors.NoBody, WoolDescriptors.TwoTokens, WoolDescriptors.VariableArguments,
            WoolDescriptors.NegativePrefetch, WoolDescriptors.PrefetchWithoutStream);

        public override void Initialize(AnalysisContext context)
        {
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.EnableConcurrentExecution();
            context.RegisterCompilationStartAction(start =>
            {
                var routines = RoutineSymbols.For(start.Compilation);
                if (routines == null)
                {
                    return;
                }

                var supported = Supported.Select(start.Compilation.GetTypeByMetadataName).Where(t => t != null).ToImmutableHashSet<ITypeSymbol>(SymbolEqualityComparer.Default);
                start.RegisterSymbolAction(c => Check((IMethodSymbol)c.Symbol, null, routines, supported, c.ReportDiagnostic), SymbolKind.Method);
                start.RegisterSyntaxNodeAction(
                    c =>
                    {
                        if (Declarations.Symbol(c.SemanticModel, c.Node, c.CancellationToken) is IMethodSymbol function)
                        {
                            Check(function, c.Node, routines, supported, c.ReportDiagnostic);
                        }
                    },
                    SyntaxKind.LocalFunctionStatement,
                    SyntaxKind.ParenthesizedLambdaExpression);
            });
        }

        private static void Check(IMethodSymbol method, SyntaxNode declaration, RoutineSymbols routines, ImmutableHashSet<ITypeSymbol> supported, System.Action<Diagnostic> report)
        {
            // A partial method is checked once, through its definition, by what its implementation is.
            var marker = method.PartialDefinitionPart == null ? routines.Marker(method) : null;
            if (marker == null)
            {
                return;
            }

            method = method.PartialImplementationPart ?? method;

            declaration = declaration ?? Declarations.Of(method);
            if (declaration == null)
            {
                return;
            }

            string name = RoutineSymbols.Display(method);
            void Report(DiagnosticDescriptor descriptor, Location location, string message) => report(Diagnostic.Create(descriptor, location, message));

            if (method.IsAbstract || method.IsExtern || !Declarations.HasBody(declaration))
            {
                Report(WoolDescriptors.NoBody, Declarations.Name(declaration, method), WeaveMessages.NoBody(name));
                return;
            }

            if (method.ReturnsVoid && method.IsAsync)
            {
                Report(WoolDescriptors.AsyncVoid, Declarations.ReturnType(declaration, method), WeaveMessages.AsyncVoid(name));
            }
            else if (method.ReturnsVoid || !supported.Contains(method.ReturnType.OriginalDefinition))
            {
                Report(WoolDescriptors.WrongReturnType, Declarations.ReturnType(declaration, method), WeaveMessages.WrongReturnType(name, method.ReturnType.ToDisplayString()));
            }
            else if (!method.IsAsync)
            {
                Report(WoolDescriptors.NotAsync, Declarations.Name(declaration, method), WeaveMessages.NotAsync(name));
            }

            int tokens = 0;
            foreach (var parameter in method.Parameters)
            {
                if (parameter.RefKind != RefKind.None)
                {
                    Report(WoolDescriptors.ByReference, Declarations.Parameter(parameter), WeaveMessages.ByReference(name, parameter.Name));
                }
                else if (parameter.Type.TypeKind == TypeKind.Pointer || parameter.Type.TypeKind == TypeKind.FunctionPointer || parameter.Type.IsRefLikeType)
                {
                    Report(WoolDescriptors.NotCopyable, Declarations.Parameter(parameter), WeaveMessages.NotCopyable(name, parameter.Name, parameter.Type.ToDisplayString()));
                }

                if (routines.IsCancellationToken(parameter.Type) && ++tokens == 2)
                {
                    Report(WoolDescriptors.TwoTokens, Declarations.Parameter(parameter), WeaveMessages.TwoTokens(name));
                }
            }

            if (RoutineSymbols.Prefetch(marker) is { } prefetch)
            {
                if (prefetch.Value < 0)
                {
                    Report(WoolDescriptors.NegativePrefetch, prefetch.Location, WeaveMessages.NegativePrefetch(name, prefetch.Value));
                }
                else if (prefetch.Value > 0 && !method.ReturnType.OriginalDefinition.ToDisplayString().StartsWith("System.Collections.Generic.IAsyncEnumerable<", System.StringComparison.Ordinal))
                {
                    Report(WoolDescriptors.PrefetchWithoutStream, prefetch.Location, WeaveMessages.PrefetchWithoutStream(name));
                }
            }

            if (method.IsVararg)
            {
                Report(WoolDescriptors.VariableArguments, Declarations.Name(declaration, method), WeaveMessages.VariableArguments(name));
            }
        }
    }
}
