using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Wool.Fody;

namespace Wool.Analyzers
{
    /// <summary>
    /// WOOL012: an override of a routine that is not marked [Routine] itself. The weaver rewrites
    /// the marked base method only, so a call that virtual dispatch sends to the override runs in
    /// the caller, silently. A warning (suppressible like any other), reported by the analyzer only.
    /// </summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    public sealed class OverrideAnalyzer : DiagnosticAnalyzer
    {
        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(WoolDescriptors.OverrideNotRoutine);

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

                start.RegisterSymbolAction(
                    c =>
                    {
                        var method = (IMethodSymbol)c.Symbol;
                        if (!method.IsOverride || routines.IsMarked(method))
                        {
                            return;
                        }

                        for (var overridden = method.OverriddenMethod; overridden != null; overridden = overridden.OverriddenMethod)
                        {
                            if (routines.IsMarked(overridden))
                            {
                                string message = WeaveMessages.OverrideNotRoutine(RoutineSymbols.Display(method), RoutineSymbols.Display(overridden.OriginalDefinition));
                                c.ReportDiagnostic(Diagnostic.Create(WoolDescriptors.OverrideNotRoutine, method.Locations[0], message));
                                return;
                            }
                        }
                    },
                    SymbolKind.Method);
            });
        }
    }
}
