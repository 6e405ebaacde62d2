using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Simplification;

namespace Wool.Analyzers.CodeFixes
{
    /// <summary>WOOL003: an <c>async void</c> routine becomes <c>async Task</c>.</summary>
    [ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ReturnTaskCodeFix)), Shared]
    public sealed class ReturnTaskCodeFix : CodeFixProvider
    {
        public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create("WOOL003");

        public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

        public override async Task RegisterCodeFixesAsync(CodeFixContext context)
        {
            var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
            var returnType = root?.FindNode(context.Span, getInnermostNodeForTie: true) as TypeSyntax;
            if (returnType == null || !(returnType is PredefinedTypeSyntax predefined) || !predefined.Keyword.IsKind(SyntaxKind.VoidKeyword))
            {
                return;
            }

            context.RegisterCodeFix(
                CodeAction.Create("Return Task", c => ReturnTask(context.Document, root, returnType, c), equivalenceKey: "WOOL003"),
                context.Diagnostics);
        }

        private static Task<Document> ReturnTask(Document document, SyntaxNode root, TypeSyntax returnType, CancellationToken cancellation)
        {
            var task = SyntaxFactory.ParseTypeName("System.Threading.Tasks.Task")
                .WithTriviaFrom(returnType)
                .WithAdditionalAnnotations(Simplifier.Annotation);
            return Task.FromResult(document.WithSyntaxRoot(root.ReplaceNode(returnType, task)));
        }
    }
}
