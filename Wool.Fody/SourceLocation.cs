using System.Linq;
using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Wool.Fody
{
    /// <summary>
    /// Finds the source line to attach a diagnostic to. An async method's own body is compiler
    /// glue without sequence points; its code (and line numbers) live in the state machine's
    /// MoveNext, found through the state machine attribute.
    /// </summary>
    internal static class SourceLocation
    {
        public static SequencePoint Of(MethodDefinition method)
            => FirstVisible(method) ?? FirstVisible(StateMachineMoveNext(method));

        public static TypeDefinition StateMachineType(MethodDefinition method)
        {
            var attribute = method.CustomAttributes.FirstOrDefault(a =>
                a.AttributeType.FullName == "System.Runtime.CompilerServices.AsyncStateMachineAttribute" ||
                a.AttributeType.FullName == "System.Runtime.CompilerServices.AsyncIteratorStateMachineAttribute");
            return (attribute?.ConstructorArguments[0].Value as TypeReference)?.Resolve();
        }

        private static MethodDefinition StateMachineMoveNext(MethodDefinition method)
            => StateMachineType(method)?.Methods.FirstOrDefault(m => m.Name == "MoveNext");

        private static SequencePoint FirstVisible(MethodDefinition method)
            => method != null && method.DebugInformation.HasSequencePoints
                ? method.DebugInformation.SequencePoints.FirstOrDefault(p => !p.IsHidden)
                : null;
    }
}
