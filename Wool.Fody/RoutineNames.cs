using System.Linq;
using System.Text.RegularExpressions;
using Mono.Cecil;

namespace Wool.Fody
{
    /// <summary>
    /// Names routines as their author wrote them, for messages and diagnostics: compiler-generated
    /// names of lambdas (<c>&lt;Main&gt;b__0_0</c>) and local functions
    /// (<c>&lt;Main&gt;g__Local|0_0</c>) are turned back into C# terms.
    /// </summary>
    internal static class RoutineNames
    {
        // The outer method of top-level statements is '<Main>$': '<<Main>$>g__Add|0_1'.
        private static readonly Regex LocalFunction = new Regex(@"^<(?<outer><Main>\$|[^>]*)>g__(?<name>[^|]+)\|", RegexOptions.Compiled);
        private static readonly Regex Lambda = new Regex(@"^<(?<outer><Main>\$|[^>]*)>b__", RegexOptions.Compiled);

        public static string Display(MethodDefinition method)
        {
            string owner = TypeName(UserType(method.DeclaringType));
            var local = LocalFunction.Match(method.Name);
            if (local.Success)
            {
                return $"local function {local.Groups["name"].Value} in {owner}.{Outer(local)}";
            }

            var lambda = Lambda.Match(method.Name);
            if (lambda.Success)
            {
                return $"lambda in {owner}.{Outer(lambda)}";
            }

            return $"{TypeName(method.DeclaringType)}.{method.Name}";
        }

        /// <summary>The method's name as written in source (a local function's own name), or null for a lambda.</summary>
        public static string SourceName(MethodDefinition method)
        {
            var local = LocalFunction.Match(method.Name);
            if (local.Success)
            {
                return local.Groups["name"].Value;
            }

            return Lambda.IsMatch(method.Name) ? null : method.Name;
        }

        private static string Outer(Match match) => match.Groups["outer"].Value == "<Main>$" ? "Main" : match.Groups["outer"].Value;

        /// <summary>The nearest enclosing type the user wrote (skipping closure and state-machine types).</summary>
        private static TypeDefinition UserType(TypeDefinition type)
        {
            while (type.DeclaringType != null && type.Name.StartsWith("<", System.StringComparison.Ordinal))
            {
                type = type.DeclaringType;
            }

            return type;
        }

        private static string TypeName(TypeDefinition type)
        {
            string name = type.Name;
            int tick = name.IndexOf('`');
            if (tick >= 0)
            {
                int ownStart = type.DeclaringType?.GenericParameters.Count ?? 0;
                var own = type.GenericParameters.Skip(ownStart).Select(p => p.Name);
                name = name.Substring(0, tick) + "<" + string.Join(", ", own) + ">";
            }

            return type.DeclaringType != null ? TypeName(type.DeclaringType) + "." + name : name;
        }
    }
}
