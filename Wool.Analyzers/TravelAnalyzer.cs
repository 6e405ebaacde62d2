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
                start.RegisterSymbolAction(c => CheckDeclaration((IMethodSymbol)c.Symbol, null, routines, check, c.ReportDiagnostic, c.CancellationToken), SymbolKind.Method);
                start.RegisterSyntaxNodeAction(
                    c =>
                    {
                        var symbol = Declarations.Symbol(c.SemanticModel, c.Node, c.CancellationToken);
                        if (symbol != null && routines.IsMarked(symbol))
                        {
                            CheckDeclaration(symbol, c.Node, routines, check, c.ReportDiagnostic, c.CancellationToken);
                            new CaptureWalker(c.SemanticModel, symbol, check, c.ReportDiagnostic, c.CancellationToken).Check(c.Node);
                        }
                    },
                    SyntaxKind.LocalFunctionStatement,
                    SyntaxKind.ParenthesizedLambdaExpression);
                start.RegisterOperationAction(c => CheckCall((IInvocationOperation)c.Operation, routines, check, c.ReportDiagnostic, c.CancellationToken), OperationKind.Invocation);
            });
        }

        /// <summary>Parameters whose type can never be sent, and 'this' of an instance routine.</summary>
        private static void CheckDeclaration(IMethodSymbol method, SyntaxNode declaration, RoutineSymbols routines, TravelCheck check, System.Action<Diagnostic> report, System.Threading.CancellationToken cancellation)
        {
            if (method.PartialDefinitionPart != null || !routines.IsMarked(method))
            {
                return; // A partial method is checked once, through its definition, by what its implementation is.
            }

            method = method.PartialImplementationPart ?? method;

            string name = RoutineSymbols.Display(method);
            foreach (var parameter in method.Parameters)
            {
                if (parameter.RefKind != RefKind.None || parameter.Type.IsRefLikeType || routines.IsCancellationToken(parameter.Type))
                {
                    continue; // WOOL004/005 say what is wrong; a token is the call's cancellation.
                }

                var refusal = check.Find(parameter.Type, cancellation, asStreamParameter: true);
                if (refusal != null)
                {
                    report(Diagnostic.Create(WoolDescriptors.CannotTravel, Declarations.Parameter(parameter), refusal.Of($"argument '{parameter.Name}' of routine '{name}'", parameter.Type)));
                }
            }

            if (ResultType(method) is ITypeSymbol result && check.Find(result, cancellation) is Refusal returned)
            {
                declaration = declaration ?? Declarations.Of(method);
                var at = declaration == null ? method.Locations[0] : Declarations.ReturnType(declaration, method);
                string what = ProcessBoundSymbols.IsAsyncStream(method.ReturnType) ? "stream item" : "result";
                report(Diagnostic.Create(WoolDescriptors.CannotTravel, at, returned.Of($"the {what} of routine '{name}'", result, verb: "return")));
            }

            if (!method.IsStatic && method.MethodKind != MethodKind.LambdaMethod && method.MethodKind != MethodKind.LocalFunction && !method.IsAbstract)
            {
                var refusal = check.Find(method.ContainingType, cancellation);
                if (refusal != null)
                {
                    declaration = declaration ?? Declarations.Of(method);
                    var at = declaration == null ? method.Locations[0] : Declarations.Name(declaration, method);
                    report(Diagnostic.Create(WoolDescriptors.CannotTravel, at, ThisMessage(refusal, name, method.ContainingType)));
                }
            }
        }

        /// <summary>What a routine's task or stream carries back: T of Task&lt;T&gt;, ValueTask&lt;T&gt; and IAsyncEnumerable&lt;T&gt;.</summary>
        private static ITypeSymbol ResultType(IMethodSymbol method)
            => method.ReturnType is INamedTypeSymbol named && named.IsGenericType && named.TypeArguments.Length == 1 ? named.TypeArguments[0] : null;

        /// <summary>An argument (or the receiver) whose static type cannot be sent, where the declaration does not already say so.</summary>
        private static void CheckCall(IInvocationOperation call, RoutineSymbols routines, TravelCheck check, System.Action<Diagnostic> report, System.Threading.CancellationToken cancellation)
        {
            var target = call.TargetMethod;
            if (!routines.IsRoutineCall(target))
            {
                return;
            }

            bool declaredHere = target.OriginalDefinition.Locations.Any(l => l.IsInSource);
            string routine = RoutineSymbols.Display(target.OriginalDefinition);
            if (!target.IsStatic && call.Instance != null && !call.Instance.IsImplicit && call.Instance.Type is ITypeSymbol receiver
                && !(declaredHere && check.Find(target.OriginalDefinition.ContainingType, cancellation) != null)
                && check.Find(receiver, cancellation) is Refusal refusedThis)
            {
                // 'this' of a constructed generic type (Box<MemoryStream>) or of a derived class with fields of its own.
                report(Diagnostic.Create(WoolDescriptors.CannotTravel, call.Instance.Syntax.GetLocation(), ThisMessage(refusedThis, routine, receiver)));
            }

            foreach (var argument in call.Arguments)
            {
                var parameter = argument.Parameter;
                if (parameter == null || argument.IsImplicit && argument.ArgumentKind == ArgumentKind.DefaultValue || routines.IsCancellationToken(parameter.Type))
                {
                    continue;
                }

                bool streams = ProcessBoundSymbols.IsAsyncStream(parameter.Type);
                var declared = parameter.OriginalDefinition.Type;
                if (declaredHere && check.Find(declared, cancellation, ProcessBoundSymbols.IsAsyncStream(declared)) != null)
                {
                    continue; // Reported once, at the parameter (as declared: a type parameter T says nothing until a call names it).
                }

                var value = argument.Value is IConversionOperation conversion && conversion.IsImplicit ? conversion.Operand : argument.Value;
                var refusal = check.Find(value.Type, cancellation, streams);
                if (refusal != null)
                {
                    string what = $"argument '{parameter.Name}' of routine '{routine}'";
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
