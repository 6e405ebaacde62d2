using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Wool.Fody;

namespace Wool.Analyzers
{
    /// <summary>
    /// WOOL012: an override of a routine, or an implementation of an interface's default routine,
    /// that is not marked [Routine] itself. The weaver rewrites the marked method only, so a call
    /// that virtual dispatch sends to the unmarked one runs in the caller, silently. A warning (suppressible like any other), reported by the analyzer only.
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
                        if (routines.IsMarked(method))
                        {
                            return;
                        }

                        if (ImplementedRoutine(method, routines) is IMethodSymbol implemented)
                        {
                            string message = WeaveMessages.ImplementationNotRoutine(RoutineSymbols.Display(method), RoutineSymbols.Display(implemented));
                            c.ReportDiagnostic(Diagnostic.Create(WoolDescriptors.OverrideNotRoutine, method.Locations[0], message));
                            return;
                        }

                        if (!method.IsOverride)
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

        /// <summary>A routine with a default body in an interface that <paramref name="method"/> implements (implicitly or explicitly).</summary>
        private static IMethodSymbol ImplementedRoutine(IMethodSymbol method, RoutineSymbols routines)
        {
            var type = method.ContainingType;
            if (type == null || type.TypeKind == TypeKind.Interface || type.AllInterfaces.IsEmpty)
            {
                return null;
            }

            foreach (var explicitly in method.ExplicitInterfaceImplementations)
            {
                if (routines.IsMarked(explicitly) && !explicitly.IsAbstract)
                {
                    return explicitly;
                }
            }

            foreach (var contract in type.AllInterfaces)
            {
                foreach (var member in contract.GetMembers(method.Name).OfType<IMethodSymbol>())
                {
                    if (!member.IsAbstract && routines.IsMarked(member)
                        && SymbolEqualityComparer.Default.Equals(type.FindImplementationForInterfaceMember(member), method))
                    {
                        return member;
                    }
                }
            }

            return null;
        }
    }
}
