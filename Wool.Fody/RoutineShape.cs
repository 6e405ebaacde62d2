using Mono.Cecil;

namespace Wool.Fody
{
    /// <summary>Classifies a routine's return type.</summary>
    internal static class RoutineShape
    {
        /// <summary>Returns the routine kind, or null when the return type is not one Wool supports.</summary>
        public static RoutineKind? Classify(TypeReference returnType, out TypeReference resultType)
        {
            resultType = null;
            var generic = returnType as GenericInstanceType;
            string name = (generic?.ElementType ?? returnType).FullName;
            switch (name)
            {
                case "System.Threading.Tasks.Task":
                    return RoutineKind.Task;
                case "System.Threading.Tasks.ValueTask":
                    return RoutineKind.ValueTask;
                case "System.Threading.Tasks.Task`1":
                    resultType = generic.GenericArguments[0];
                    return RoutineKind.TaskOfT;
                case "System.Threading.Tasks.ValueTask`1":
                    resultType = generic.GenericArguments[0];
                    return RoutineKind.ValueTaskOfT;
                case "System.Collections.Generic.IAsyncEnumerable`1":
                    resultType = generic.GenericArguments[0];
                    return RoutineKind.Stream;
                default:
                    return null;
            }
        }

        public static bool IsCancellationToken(TypeReference type) => type.FullName == "System.Threading.CancellationToken";
    }
}
