using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Wool.Analyzers
{
    /// <summary>
    /// Finds what a routine lambda or local function captures (the variables of enclosing scopes it
    /// uses, and <c>this</c>) and reports, at its first use, each one that cannot be sent.
    /// A closure also carries the variables that other lambdas and local functions capture from the
    /// same scope (the compiler keeps a scope's captured variables in one object); those are
    /// reported at the routine's head, with the runtime's advice.
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

            var body = Body(declaration);
            if (body == null)
            {
                return; // Still being typed.
            }

            string name = RoutineSymbols.Display(_routine);
            foreach (var node in body.DescendantNodesAndSelf(descendIntoChildren: n => !(n is AttributeListSyntax) && !IsNameOf(n)))
            {
                _cancellation.ThrowIfCancellationRequested();
                if (node is ThisExpressionSyntax || node is BaseExpressionSyntax)
                {
                    CapturedThis(node, name);
                    continue;
                }

                if (!(node is SimpleNameSyntax identifier))
                {
                    continue;
                }

                var symbol = _model.GetSymbolInfo(identifier, _cancellation).Symbol;
                switch (symbol)
                {
                    case ILocalSymbol local when !local.IsConst && IsOutside(local, _routine):
                        Captured(local, local.Type, identifier, name);
                        break;
                    case IParameterSymbol parameter when IsOutside(parameter, _routine):
                        Captured(parameter, parameter.Type, identifier, name);
                        break;
                    case IMethodSymbol local when local.MethodKind == MethodKind.LocalFunction || local.MethodKind == MethodKind.LambdaMethod:
                        break; // A local function's own captures are its business (and a recursive routine names itself).
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

            CheckSharedScopes(declaration, name);
        }

        /// <summary>Variables that other closures capture from the scopes this routine captures from: they travel with it.</summary>
        private void CheckSharedScopes(SyntaxNode declaration, string name)
        {
            var scopes = new HashSet<SyntaxNode>(_seen.Select(ScopeOf).Where(scope => scope != null));
            var member = declaration.Ancestors().FirstOrDefault(n => n is MemberDeclarationSyntax);
            var within = member is GlobalStatementSyntax ? member.Parent : member;
            if (scopes.Count == 0 || within == null)
            {
                return;
            }

            var reported = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
            foreach (var other in within.DescendantNodes().Where(n => n is AnonymousFunctionExpressionSyntax || n is LocalFunctionStatementSyntax))
            {
                if (other == declaration || declaration.Contains(other) || other.Contains(declaration)
                    || !(Function(other) is IMethodSymbol function) || function.IsStatic)
                {
                    continue;
                }

                var otherBody = Body(other);
                if (otherBody == null)
                {
                    continue;
                }

                foreach (var identifier in otherBody.DescendantNodesAndSelf(descendIntoChildren: n => !IsNameOf(n)).OfType<IdentifierNameSyntax>())
                {
                    _cancellation.ThrowIfCancellationRequested();
                    var symbol = _model.GetSymbolInfo(identifier, _cancellation).Symbol;
                    var type = (symbol as ILocalSymbol)?.Type ?? (symbol as IParameterSymbol)?.Type;
                    if (type == null || (symbol is ILocalSymbol l && l.IsConst) || _seen.Contains(symbol) || !IsOutside(symbol, function)
                        || !scopes.Contains(ScopeOf(symbol)) || !reported.Add(symbol))
                    {
                        continue;
                    }

                    var refusal = _check.Find(type, _cancellation);
                    if (refusal != null)
                    {
                        _report(Diagnostic.Create(WoolDescriptors.CannotTravel, Declarations.Name(declaration, _routine), refusal.OfCaptured(symbol.Name, name, type)));
                    }
                }
            }
        }

        private IMethodSymbol Function(SyntaxNode node) => Declarations.Symbol(_model, node, _cancellation);

        /// <summary>The syntax of the scope whose closure object holds the variable: its block (or loop, using, catch), a function's body for a parameter.</summary>
        private static SyntaxNode ScopeOf(ISymbol variable)
        {
            var declared = variable.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax();
            if (declared == null)
            {
                return null;
            }

            if (variable is IParameterSymbol)
            {
                var function = declared.Ancestors().FirstOrDefault(n => n is BaseMethodDeclarationSyntax || n is LocalFunctionStatementSyntax || n is AnonymousFunctionExpressionSyntax || n is CompilationUnitSyntax);
                switch (function)
                {
                    case BaseMethodDeclarationSyntax method:
                        return (SyntaxNode)method.Body ?? method.ExpressionBody;
                    case LocalFunctionStatementSyntax local:
                        return (SyntaxNode)local.Body ?? local.ExpressionBody;
                    case AnonymousFunctionExpressionSyntax lambda:
                        return lambda.Body;
                    default:
                        return function;
                }
            }

            return declared.Ancestors().FirstOrDefault(n => n is BlockSyntax || n is SwitchSectionSyntax || n is ForStatementSyntax || n is CommonForEachStatementSyntax
                                                            || n is UsingStatementSyntax || n is FixedStatementSyntax || n is CatchClauseSyntax
                                                            || n is ArrowExpressionClauseSyntax || n is AnonymousFunctionExpressionSyntax || n is CompilationUnitSyntax);
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

            var refusal = _check.Find(type, _cancellation);
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
            var refusal = thisType == null ? null : _check.Find(thisType, _cancellation);
            if (refusal != null)
            {
                _report(Diagnostic.Create(WoolDescriptors.CannotTravel, at.GetLocation(), TravelAnalyzer.ThisMessage(refusal, routine, thisType)));
            }
        }

        /// <summary>Declared in an enclosing scope, not in <paramref name="function"/> or in a function nested in it.</summary>
        private static bool IsOutside(ISymbol variable, IMethodSymbol function)
        {
            for (var owner = variable.ContainingSymbol; owner != null; owner = owner.ContainingSymbol)
            {
                if (SymbolEqualityComparer.Default.Equals(owner, function))
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
        private static bool IsNameOf(SyntaxNode node)
            => node is InvocationExpressionSyntax invocation && invocation.Expression is IdentifierNameSyntax name && name.Identifier.Text == "nameof";

        private static bool IsImplicitThis(SimpleNameSyntax identifier)
        {
            var parent = identifier.Parent;
            if (parent is MemberAccessExpressionSyntax access && access.Name == identifier || parent is QualifiedNameSyntax)
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
