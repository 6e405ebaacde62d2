using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Wool.Analyzers
{
    /// <summary>Where, in a routine's declaration, each kind of diagnostic points.</summary>
    internal static class Declarations
    {
        /// <summary>The declaration of <paramref name="method"/> that has its body (a partial method's implementation), or its first.</summary>
        public static SyntaxNode Of(IMethodSymbol method)
        {
            var declared = (method.PartialImplementationPart ?? method).DeclaringSyntaxReferences;
            return declared.Length == 0 ? null : declared[0].GetSyntax();
        }

        /// <summary>The method a function's syntax declares: a method or local function is declared, a lambda is bound.</summary>
        public static IMethodSymbol Symbol(SemanticModel model, SyntaxNode function, System.Threading.CancellationToken cancellation)
            => (function is AnonymousFunctionExpressionSyntax
                ? model.GetSymbolInfo(function, cancellation).Symbol
                : model.GetDeclaredSymbol(function, cancellation)) as IMethodSymbol;

        /// <summary>The method's name; for a lambda, its head up to and including '=>'.</summary>
        public static Location Name(SyntaxNode declaration, IMethodSymbol method)
        {
            switch (declaration)
            {
                case MethodDeclarationSyntax m:
                    return m.Identifier.GetLocation();
                case LocalFunctionStatementSyntax f:
                    return f.Identifier.GetLocation();
                case ParenthesizedLambdaExpressionSyntax lambda:
                    int start = lambda.Modifiers.Any() ? lambda.Modifiers.First().SpanStart
                        : lambda.ReturnType?.SpanStart ?? lambda.ParameterList.SpanStart;
                    return Location.Create(lambda.SyntaxTree, TextSpan.FromBounds(start, lambda.ArrowToken.Span.End));
                default:
                    return method.Locations.FirstOrDefault() ?? Location.None;
            }
        }

        /// <summary>The written return type, or the name when there is none.</summary>
        public static Location ReturnType(SyntaxNode declaration, IMethodSymbol method)
        {
            TypeSyntax written = declaration is MethodDeclarationSyntax m ? m.ReturnType
                : declaration is LocalFunctionStatementSyntax f ? f.ReturnType
                : (declaration as ParenthesizedLambdaExpressionSyntax)?.ReturnType;
            return written?.GetLocation() ?? Name(declaration, method);
        }

        public static Location Parameter(IParameterSymbol parameter)
            => parameter.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax().GetLocation() ?? parameter.Locations.FirstOrDefault() ?? Location.None;

        public static bool HasBody(SyntaxNode declaration)
        {
            switch (declaration)
            {
                case BaseMethodDeclarationSyntax m:
                    return m.Body != null || m.ExpressionBody != null;
                case LocalFunctionStatementSyntax f:
                    return f.Body != null || f.ExpressionBody != null;
                default:
                    return true;
            }
        }
    }
}
