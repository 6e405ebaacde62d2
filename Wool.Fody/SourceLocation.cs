using System;
using System.IO;
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
        {
            var point = FirstVisible(method) ?? FirstVisible(StateMachineMoveNext(method));
            return point != null && IsOpeningBrace(point) && point.StartLine > 1 ? OnLineBefore(point) : point;
        }

        /// <summary>
        /// A block-bodied method's first line of code is its opening brace; the user looks for the
        /// signature, which ends on the line before it.
        /// </summary>
        private static bool IsOpeningBrace(SequencePoint point)
        {
            if (point.StartLine != point.EndLine || point.EndColumn != point.StartColumn + 1)
            {
                return false;
            }

            try
            {
                string line = File.ReadLines(point.Document.Url).Skip(point.StartLine - 1).FirstOrDefault();
                return line != null && line.Length >= point.StartColumn && line[point.StartColumn - 1] == '{';
            }
            catch (IOException)
            {
                return false;
            }
            catch (UnauthorizedAccessException)
            {
                return false;
            }
        }

        private static SequencePoint OnLineBefore(SequencePoint point)
            => new SequencePoint(Instruction.Create(OpCodes.Nop), point.Document)
            {
                StartLine = point.StartLine - 1,
                EndLine = point.StartLine - 1,
                StartColumn = 1,
                EndColumn = 1,
            };

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
