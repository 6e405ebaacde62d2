using System;
using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Wool.Analyzers
{
    /// <summary>
    /// Finds what a routine lambda or local function captures (the variables of enclosing scopes it
    /// uses, and <c>this</c>) and reports, at its first use, each one that cannot be sent.
    /// A closure also carries the variables that other closures of the same scope capture; those
    /// the runtime reports with its advice, the analyzer does not guess at them.
    /// </summary>
    internal sealed class CaptureWalker
    {
        private readonly SemanticModel _model;
        private readonly IMethodSymbol _routine;
        private readonly TravelCheck _check;
        private readonly Action<Diagnostic> _report;
        private readonly CancellationToken _cancellation;
        private readonly HashSet<ISymbol> _seen = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        private bool _thisSeen;

        public CaptureWalker(SemanticModel model, IMethodSymbol routine, TravelCheck check, Action<Diagnostic> report, CancellationToken cancellation)
        {
            _model = model;
            _routine = routine;
            _check = check;
            _report = report;
            _cancellation = cancellation;
        }

        public void Check(SyntaxNode declaration)
        {
            if (_routine.IsStatic)
            {
                return; // A static lambda or local function captures nothing.
            }

            string name = RoutineSymbols.Display(_routine);
            foreach (var node in Body(declaration).DescendantNodesAndSelf())
            {
                _cancellation.ThrowIfCancellationRequested();
                if (node is ThisExpressionSyntax || node is BaseExpressionSyntax)
                {
                    CapturedThis(node, name);
                    continue;
                }

                if (!(node is IdentifierNameSyntax identifier))
                {
                    continue;
                }

                var symbol = _model.GetSymbolInfo(identifier, _cancellation).Symbol;
                switch (symbol)
                {
                    case ILocalSymbol local when !local.IsConst && IsOutside(local):
                        Captured(local, local.Type, identifier, name);
                        break;
                    case IParameterSymbol parameter when IsOutside(parameter):
                        Captured(parameter, parameter.Type, identifier, name);
                        break;
                    case IFieldSymbol _:
                    case IPropertySymbol _:
                    case IMethodSymbol _:
                    case IEventSymbol _:
                        if (!symbol.IsStatic && IsImplicitThis(identifier) && symbol.ContainingType != null)
                        {
                            CapturedThis(identifier, name);
                        }

                        break;
                }
            }
        }

        /// <summary>The code of the function: its attributes and signature capture nothing.</summary>
        private static SyntaxNode Body(SyntaxNode declaration)
        {
            switch (declaration)
            {
                case AnonymousFunctionExpressionSyntax lambda:
                    return lambda.Body;
                case LocalFunctionStatementSyntax local:
                    return (SyntaxNode)local.Body ?? local.ExpressionBody;
                default:
                    return declaration;
            }
        }

        private void Captured(ISymbol variable, ITypeSymbol type, SyntaxNode at, string routine)
        {
            if (!_seen.Add(variable))
            {
                return;
            }

            var refusal = _check.Find(type);
            if (refusal != null)
            {
                _report(Diagnostic.Create(WoolDescriptors.CannotTravel, at.GetLocation(), refusal.OfCaptured(variable.Name, routine, type)));
            }
        }

        private void CapturedThis(SyntaxNode at, string routine)
        {
            if (_thisSeen)
            {
                return;
            }

            _thisSeen = true;
            var thisType = _routine.ContainingType;
            var refusal = thisType == null ? null : _check.Find(thisType);
            if (refusal != null)
            {
                _report(Diagnostic.Create(WoolDescriptors.CannotTravel, at.GetLocation(), TravelAnalyzer.ThisMessage(refusal, routine, thisType)));
            }
        }

        /// <summary>Declared in an enclosing scope, not in the routine or in a function nested in it.</summary>
        private bool IsOutside(ISymbol variable)
        {
            for (var owner = variable.ContainingSymbol; owner != null; owner = owner.ContainingSymbol)
            {
                if (SymbolEqualityComparer.Default.Equals(owner, _routine))
                {
                    return false;
                }

                if (!(owner is IMethodSymbol m) || (m.MethodKind != MethodKind.LambdaMethod && m.MethodKind != MethodKind.LocalFunction))
                {
                    return true;
                }
            }

            return true;
        }

        /// <summary>A member used without a receiver ('_field', 'Method()'), which reads it through 'this'.</summary>
        private static bool IsImplicitThis(IdentifierNameSyntax identifier)
        {
            var parent = identifier.Parent;
            if (parent is MemberAccessExpressionSyntax access && access.Name == identifier)
            {
                return false;
            }

            if (parent is MemberBindingExpressionSyntax || parent is NameColonSyntax || parent is NameEqualsSyntax)
            {
                return false;
            }

            return !(parent is AssignmentExpressionSyntax assignment && assignment.Parent is InitializerExpressionSyntax && assignment.Left == identifier);
        }
    }
}
