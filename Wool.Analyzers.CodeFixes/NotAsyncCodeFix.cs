using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;

namespace Wool.Analyzers.CodeFixes
{
    /// <summary>
    /// WOOL001: a routine that is not async. Offers "Make it async" for methods and local functions
    /// returning a task (the returned tasks are awaited instead) and "Remove [Routine]" always.
    /// </summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(NotAsyncCodeFix)), Shared]
    public sealed class NotAsyncCodeFix : CodeFixProvider
    {
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("WOOL001");

        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            var node = root?.FindToken(context.Span.Start).Parent;
            var function = node?.AncestorsAndSelf().FirstOrDefault(n => n is MethodDeclarationSyntax || n is LocalFunctionStatementSyntax || n is ParenthesizedLambdaExpressionSyntax);
            if (function == null)
            {
                return;
            }

            var model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
            var method = Declarations.Symbol(model, function, context.CancellationToken);
            if (method == null)
            {
                return;
            }

            if (!(function is ParenthesizedLambdaExpressionSyntax) && IsTaskLike(method.ReturnType))
            {
                bool hasResult = method.ReturnType is INamedTypeSymbol named && named.IsGenericType;
                context.RegisterCodeFix(
                    CodeAction.Create("Make it async", c => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(function, MakeAsync(function, hasResult)))), equivalenceKey: "WOOL001.async"),
                    context.Diagnostics);
            }

            var marker = function.ChildNodes().OfType<AttributeListSyntax>().SelectMany(l => l.Attributes)
                .FirstOrDefault(a => model.GetTypeInfo(a, context.CancellationToken).Type?.ToDisplayString() == "Wool.RoutineAttribute");
            if (marker != null)
            {
                context.RegisterCodeFix(
                    CodeAction.Create("Remove [Routine]", c => Task.FromResult(context.Document.WithSyntaxRoot(RemoveAttribute(root, marker))), equivalenceKey: "WOOL001.unmark"),
                    context.Diagnostics);
            }
        }

        private static bool IsTaskLike(ITypeSymbol type)
        {
            string name = type.OriginalDefinition.ToDisplayString();
            return name == "System.Threading.Tasks.Task" || name == "System.Threading.Tasks.Task<TResult>"
                   || name == "System.Threading.Tasks.ValueTask" || name == "System.Threading.Tasks.ValueTask<TResult>";
        }

        /// <summary>Adds 'async' and awaits what the method returned: 'return t;' becomes 'return await t;' (or 'await t; return;' without a result).</summary>
        private static SyntaxNode MakeAsync(SyntaxNode function, bool hasResult)
        {
            var body = function is MethodDeclarationSyntax m ? (SyntaxNode)m.Body ?? m.ExpressionBody : (SyntaxNode)((LocalFunctionStatementSyntax)function).Body ?? ((LocalFunctionStatementSyntax)function).ExpressionBody;
            var returns = body == null ? new List<ReturnStatementSyntax>() : body.DescendantNodes(n => !IsNestedFunction(n)).OfType<ReturnStatementSyntax>().Where(r => r.Expression != null).ToList();
            var arrow = body as ArrowExpressionClauseSyntax;
            var rewritten = function.ReplaceNodes(
                returns.Cast<SyntaxNode>().Concat(arrow == null ? Enumerable.Empty<SyntaxNode>() : new[] { arrow.Expression }),
                (original, current) =>
                {
                    if (current is ReturnStatementSyntax statement)
                    {
                        var awaited = Await(statement.Expression);
                        if (hasResult)
                        {
                            return statement.WithExpression(awaited);
                        }

                        // The method's last statement needs no 'return' after the await.
                        return original.Parent == body && ((BlockSyntax)body).Statements.Last() == original
                            ? SyntaxFactory.ExpressionStatement(awaited).WithTriviaFrom(statement)
                            : (SyntaxNode)SyntaxFactory.Block(SyntaxFactory.ExpressionStatement(awaited), SyntaxFactory.ReturnStatement()).WithTriviaFrom(statement).WithAdditionalAnnotations(Formatter.Annotation);
                    }

                    return Await((ExpressionSyntax)current);
                });

            var asyncKeyword = SyntaxFactory.Token(SyntaxKind.AsyncKeyword).WithTrailingTrivia(SyntaxFactory.Space);
            switch (rewritten)
            {
                case MethodDeclarationSyntax method when method.Modifiers.Count == 0:
                    return method.WithReturnType(method.ReturnType.WithoutLeadingTrivia())
                        .WithModifiers(SyntaxFactory.TokenList(asyncKeyword.WithLeadingTrivia(method.ReturnType.GetLeadingTrivia())));
                case MethodDeclarationSyntax method:
                    return method.WithModifiers(method.Modifiers.Add(asyncKeyword));
                case LocalFunctionStatementSyntax local when local.Modifiers.Count == 0:
                    return local.WithReturnType(local.ReturnType.WithoutLeadingTrivia())
                        .WithModifiers(SyntaxFactory.TokenList(asyncKeyword.WithLeadingTrivia(local.ReturnType.GetLeadingTrivia())));
                case LocalFunctionStatementSyntax local:
                    return local.WithModifiers(local.Modifiers.Add(asyncKeyword));
                default:
                    return rewritten;
            }
        }

        private static ExpressionSyntax Await(ExpressionSyntax expression)
            => SyntaxFactory.AwaitExpression(SyntaxFactory.Token(SyntaxKind.AwaitKeyword).WithTrailingTrivia(SyntaxFactory.Space), expression.WithoutLeadingTrivia())
                .WithLeadingTrivia(expression.GetLeadingTrivia());

        private static bool IsNestedFunction(SyntaxNode node) => node is AnonymousFunctionExpressionSyntax || node is LocalFunctionStatementSyntax;

        /// <summary>Removes the attribute, or its whole list when it is alone there, keeping the declaration's doc comment and indentation.</summary>
        private static SyntaxNode RemoveAttribute(SyntaxNode root, AttributeSyntax marker)
        {
            var list = (AttributeListSyntax)marker.Parent;
            if (list.Attributes.Count > 1)
            {
                return root.ReplaceNode(list, list.WithAttributes(list.Attributes.Remove(marker)));
            }

            var declaration = list.Parent;
            var without = declaration.RemoveNode(list, SyntaxRemoveOptions.KeepNoTrivia);
            if (declaration.GetFirstToken() == list.GetFirstToken())
            {
                without = without.WithLeadingTrivia(declaration.GetLeadingTrivia());
            }

            return root.ReplaceNode(declaration, without);
        }
    }
}
