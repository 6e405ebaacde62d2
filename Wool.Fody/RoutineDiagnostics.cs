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
        private readonly SourceLocation _locations;

        public RoutineDiagnostics(BaseModuleWeaver weaver)
        {
            _weaver = weaver;
            _locations = new SourceLocation(weaver.ModuleDefinition);
        }

        public int ErrorCount { get; private set; }

        public bool Accepts(MethodDefinition method)
        {
            int before = ErrorCount;
            foreach (string problem in Problems(method))
            {
                ErrorCount++;
                var point = _locations.Of(method);
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
            if (!method.HasBody)
            {
                yield return "WOOL006: " + WeaveMessages.NoBody(name);
                yield break;
            }

            bool isVoid = method.ReturnType.MetadataType == MetadataType.Void;
            bool isAsync = SourceLocation.StateMachineType(method) != null;
            if (isVoid && isAsync)
            {
                yield return "WOOL003: " + WeaveMessages.AsyncVoid(name);
            }
            else if (RoutineShape.Classify(method.ReturnType, out _) == null)
            {
                yield return "WOOL002: " + WeaveMessages.WrongReturnType(name, method.ReturnType.FullName);
            }
            else if (!isAsync)
            {
                yield return "WOOL001: " + WeaveMessages.NotAsync(name);
            }

            foreach (var parameter in method.Parameters)
            {
                if (parameter.ParameterType.IsByReference)
                {
                    yield return "WOOL004: " + WeaveMessages.ByReference(name, parameter.Name);
                }
                else if (parameter.ParameterType.IsPointer || parameter.ParameterType.IsFunctionPointer || IsByRefLike(parameter.ParameterType))
                {
                    yield return "WOOL005: " + WeaveMessages.NotCopyable(name, parameter.Name, parameter.ParameterType.FullName);
                }
            }

            if (method.Parameters.Count(p => RoutineShape.IsCancellationToken(p.ParameterType)) > 1)
            {
                yield return "WOOL007: " + WeaveMessages.TwoTokens(name);
            }

            int prefetch = RoutineFinder.Prefetch(method);
            if (prefetch < 0)
            {
                yield return "WOOL009: " + WeaveMessages.NegativePrefetch(name, prefetch);
            }
            else if (prefetch > 0 && RoutineShape.Classify(method.ReturnType, out _) != RoutineKind.Stream)
            {
                yield return "WOOL010: " + WeaveMessages.PrefetchWithoutStream(name);
            }

            if (method.CallingConvention == MethodCallingConvention.VarArg)
            {
                yield return "WOOL008: " + WeaveMessages.VariableArguments(name);
            }
        }

        private static bool IsByRefLike(TypeReference type)
        {
            var definition = type.IsGenericParameter ? null : type.Resolve();
            return definition != null && definition.CustomAttributes.Any(a => a.AttributeType.FullName == "System.Runtime.CompilerServices.IsByRefLikeAttribute");
        }
    }
}
