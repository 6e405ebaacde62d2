using System.Collections.Generic;
using System.Linq;
using Mono.Cecil;

namespace Wool.Fody
{
    /// <summary>Finds the methods marked <c>[Wool.Routine]</c>, including compiler-generated ones (lambdas, local functions).</summary>
    internal static class RoutineFinder
    {
        public const string AttributeName = "Wool.RoutineAttribute";

        public static List<MethodDefinition> FindMarkedMethods(ModuleDefinition module)
            => module.GetTypes()
                .Where(type => !IsExtensionGrouping(type))
                .SelectMany(type => type.Methods)
                .Where(IsMarked)
                .ToList();

        /// <summary>The attribute's <c>Prefetch</c> value, 0 when not set.</summary>
        public static int Prefetch(MethodDefinition method)
        {
            var attribute = method.CustomAttributes.First(a => a.AttributeType.FullName == AttributeName);
            var property = attribute.Properties.FirstOrDefault(p => p.Name == "Prefetch");
            return property.Name == null ? 0 : (int)property.Argument.Value;
        }

        /// <summary>
        /// C# 14 extension blocks compile to a static method per member (woven like any static
        /// routine, the receiver its first parameter) and a grouping type '&lt;G&gt;$…' of
        /// signature-only copies (bodies 'throw null') that carry the same attributes; those are not code.
        /// </summary>
        private static bool IsExtensionGrouping(TypeDefinition type)
        {
            for (var level = type; level != null; level = level.DeclaringType)
            {
                if (level.Name.StartsWith("<G>$", System.StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }

        public static bool IsMarked(MethodDefinition method)
            => method.HasCustomAttributes && method.CustomAttributes.Any(a => a.AttributeType.FullName == AttributeName);
    }
}
