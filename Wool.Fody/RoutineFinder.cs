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

        public static bool IsMarked(MethodDefinition method)
            => method.HasCustomAttributes && method.CustomAttributes.Any(a => a.AttributeType.FullName == AttributeName);
    }
}
