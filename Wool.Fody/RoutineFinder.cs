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

        public static bool IsMarked(MethodDefinition method)
            => method.HasCustomAttributes && method.CustomAttributes.Any(a => a.AttributeType.FullName == AttributeName);
    }
}
