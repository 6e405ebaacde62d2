using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Wool.Analyzers
{
    /// <summary>
    /// WOOL013: values that would make a routine call fail because they cannot be copied to a
    /// worker, found from static types, with the words of the runtime's refusal: a routine's
    /// parameter, an argument at a call, <c>this</c> of an instance routine, a variable a routine
    /// lambda or local function captures.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class TravelAnalyzer : DiagnosticAnalyzer
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(WoolDescriptors.CannotTravel);

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

                var check = new TravelCheck();
                start.RegisterSymbolAction(c => CheckDeclaration((IMethodSymbol)c.Symbol, null, routines, check, c.ReportDiagnostic), SymbolKind.Method);
                start.RegisterSyntaxNodeAction(
                    c =>
                    {
                        var symbol = c.Node.IsKind(SyntaxKind.LocalFunctionStatement)
                            ? c.SemanticModel.GetDeclaredSymbol(c.Node, c.CancellationToken) as IMethodSymbol
                            : c.SemanticModel.GetSymbolInfo(c.Node, c.CancellationToken).Symbol as IMethodSymbol;
                        if (symbol != null && routines.IsMarked(symbol))
                        {
                            CheckDeclaration(symbol, c.Node, routines, check, c.ReportDiagnostic);
                            new CaptureWalker(c.SemanticModel, symbol, check, c.ReportDiagnostic, c.CancellationToken).Check(c.Node);
                        }
                    },
                    SyntaxKind.LocalFunctionStatement,
                    SyntaxKind.ParenthesizedLambdaExpression);
                start.RegisterOperationAction(c => CheckCall((IInvocationOperation)c.Operation, routines, check, c.ReportDiagnostic), OperationKind.Invocation);
            });
        }

        /// <summary>Parameters whose type can never be sent, and 'this' of an instance routine.</summary>
        private static void CheckDeclaration(IMethodSymbol method, SyntaxNode declaration, RoutineSymbols routines, TravelCheck check, System.Action<Diagnostic> report)
        {
            if (!routines.IsMarked(method))
            {
                return;
            }

            string name = RoutineSymbols.Display(method);
            foreach (var parameter in method.Parameters)
            {
                if (parameter.RefKind != RefKind.None || parameter.Type.IsRefLikeType || routines.IsCancellationToken(parameter.Type))
                {
                    continue; // WOOL004/005 say what is wrong; a token is the call's cancellation.
                }

                var refusal = check.Find(parameter.Type, asStreamParameter: true);
                if (refusal != null)
                {
                    report(Diagnostic.Create(WoolDescriptors.CannotTravel, Declarations.Parameter(parameter), refusal.Of($"argument '{parameter.Name}' of routine '{name}'", parameter.Type)));
                }
            }

            if (!method.IsStatic && method.MethodKind != MethodKind.LambdaMethod && method.MethodKind != MethodKind.LocalFunction && !method.IsAbstract)
            {
                var refusal = check.Find(method.ContainingType);
                if (refusal != null)
                {
                    declaration = declaration ?? Declarations.Of(method);
                    var at = declaration == null ? method.Locations[0] : Declarations.Name(declaration, method);
                    report(Diagnostic.Create(WoolDescriptors.CannotTravel, at, ThisMessage(refusal, name, method.ContainingType)));
                }
            }
        }

        /// <summary>An argument whose static type cannot be sent, where the parameter's type does not already say so.</summary>
        private static void CheckCall(IInvocationOperation call, RoutineSymbols routines, TravelCheck check, System.Action<Diagnostic> report)
        {
            var target = call.TargetMethod;
            if (!routines.IsRoutineCall(target))
            {
                return;
            }

            bool declaredHere = target.OriginalDefinition.Locations.Any(l => l.IsInSource);
            foreach (var argument in call.Arguments)
            {
                var parameter = argument.Parameter;
                if (parameter == null || argument.IsImplicit && argument.ArgumentKind == ArgumentKind.DefaultValue || routines.IsCancellationToken(parameter.Type))
                {
                    continue;
                }

                bool streams = ProcessBoundSymbols.IsAsyncStream(parameter.Type);
                if (declaredHere && check.Find(parameter.Type, streams) != null)
                {
                    continue; // Reported once, at the parameter.
                }

                var value = argument.Value is IConversionOperation conversion && conversion.IsImplicit ? conversion.Operand : argument.Value;
                var refusal = check.Find(value.Type, streams);
                if (refusal != null)
                {
                    string what = $"argument '{parameter.Name}' of routine '{RoutineSymbols.Display(target.OriginalDefinition)}'";
                    report(Diagnostic.Create(WoolDescriptors.CannotTravel, argument.Syntax.GetLocation(), refusal.Of(what, value.Type)));
                }
            }
        }

        internal static string ThisMessage(Refusal refusal, string routine, ITypeSymbol thisType)
            => refusal.Path.IsEmpty
                ? refusal.Of($"'this' of routine '{routine}'", thisType)
                : $"Could not send 'this' of routine '{routine}': {refusal.Detail(refusal.Path)}.";
    }
}
