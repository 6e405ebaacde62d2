using System.Collections.Generic;
using System.Linq;
using Fody;
using Mono.Cecil;

namespace Wool.Fody
{
    /// <summary>
    /// Checks each marked method against the shapes Wool can honour and reports every violation
    /// as a build error with its source line: <c>WOOLnnn: Could not weave 'X' because … . Remedy.</c>
    /// All methods are checked before any is woven, so one build reports every problem.
    /// </summary>
    internal sealed class RoutineDiagnostics
    {
        private readonly BaseModuleWeaver _weaver;

        public RoutineDiagnostics(BaseModuleWeaver weaver) => _weaver = weaver;

        public int ErrorCount { get; private set; }

        public bool Accepts(MethodDefinition method)
        {
            int before = ErrorCount;
            foreach (string problem in Problems(method))
            {
                ErrorCount++;
                var point = SourceLocation.Of(method);
                if (point != null)
                {
                    _weaver.WriteError(problem, point);
                }
                else
                {
                    _weaver.WriteError(problem);
                }
            }

            return ErrorCount == before;
        }

        private static IEnumerable<string> Problems(MethodDefinition method)
        {
            string name = RoutineNames.Display(method);
            string Prefix(string code) => $"{code}: Could not weave '{name}' because";

            if (!method.HasBody)
            {
                yield return $"{Prefix("WOOL006")} it has no body (abstract, extern or an interface member). Mark the implementing methods [Routine] instead.";
                yield break;
            }

            bool isVoid = method.ReturnType.MetadataType == MetadataType.Void;
            bool isAsync = SourceLocation.StateMachineType(method) != null;
            if (isVoid && isAsync)
            {
                yield return $"{Prefix("WOOL003")} it is 'async void', which a caller cannot await. Return Task instead.";
            }
            else if (RoutineShape.Classify(method.ReturnType, out _) == null)
            {
                yield return $"{Prefix("WOOL002")} it returns '{method.ReturnType.FullName}'. Return Task, Task<T>, ValueTask, ValueTask<T> or IAsyncEnumerable<T>.";
            }
            else if (!isAsync)
            {
                yield return $"{Prefix("WOOL001")} it is not an async method. Declare it 'async' (Wool moves the async body to a worker), or remove [Routine].";
            }

            foreach (var parameter in method.Parameters)
            {
                if (parameter.ParameterType.IsByReference)
                {
                    yield return $"{Prefix("WOOL004")} parameter '{parameter.Name}' is passed by reference (ref, out or in), which cannot cross processes. Pass it by value and return what the caller needs.";
                }
                else if (parameter.ParameterType.IsPointer || parameter.ParameterType.IsFunctionPointer || IsByRefLike(parameter.ParameterType))
                {
                    yield return $"{Prefix("WOOL005")} parameter '{parameter.Name}' is of type '{parameter.ParameterType.FullName}', a pointer or ref struct that cannot be copied to another process. Pass an array or another copyable value.";
                }
            }

            if (method.Parameters.Count(p => RoutineShape.IsCancellationToken(p.ParameterType)) > 1)
            {
                yield return $"{Prefix("WOOL007")} it has more than one CancellationToken parameter, and a call has exactly one cancellation. Combine them into one token (CancellationTokenSource.CreateLinkedTokenSource) before the call.";
            }

            int prefetch = RoutineFinder.Prefetch(method);
            if (prefetch < 0)
            {
                yield return $"{Prefix("WOOL009")} its Prefetch is {prefetch}. Use 0 (strict pull, the default) or a positive window.";
            }
            else if (prefetch > 0 && RoutineShape.Classify(method.ReturnType, out _) != RoutineKind.Stream)
            {
                yield return $"{Prefix("WOOL010")} it sets Prefetch but does not return IAsyncEnumerable<T>. Remove Prefetch: only streams are paced.";
            }

            if (method.CallingConvention == MethodCallingConvention.VarArg)
            {
                yield return $"{Prefix("WOOL008")} it takes variable arguments (__arglist), which cannot be serialized. Take an array instead.";
            }
        }

        private static bool IsByRefLike(TypeReference type)
        {
            var definition = type.IsGenericParameter ? null : type.Resolve();
            return definition != null && definition.CustomAttributes.Any(a => a.AttributeType.FullName == "System.Runtime.CompilerServices.IsByRefLikeAttribute");
        }
    }
}
