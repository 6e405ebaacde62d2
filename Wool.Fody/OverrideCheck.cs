using System.Linq;
using Fody;
using Mono.Cecil;
using Mono.Cecil.Rocks;

namespace Wool.Fody
{
    /// <summary>
    /// Warns about an override of a routine that is not marked <c>[Routine]</c> itself: the base
    /// method is woven, the override is not, so a call that dispatches to the override runs in the
    /// caller, silently, with the workers idle.
    /// </summary>
    internal static class OverrideCheck
    {
        public static void Warn(BaseModuleWeaver weaver, ModuleDefinition module)
        {
            foreach (var method in module.GetTypes().SelectMany(type => type.Methods))
            {
                if (!method.IsVirtual || method.IsNewSlot || RoutineFinder.IsMarked(method) || BaseRoutine(method) is not { } routine)
                {
                    continue;
                }

                string message = $"WOOL012: '{RoutineNames.Display(method)}' overrides the routine '{RoutineNames.Display(routine)}' without [Routine], " +
                                 "so a call that reaches it runs in the caller, not on a worker. Mark the override [Routine] as well.";
                var point = SourceLocation.Of(method);
                if (point != null)
                {
                    weaver.WriteWarning(message, point);
                }
                else
                {
                    weaver.WriteWarning(message);
                }
            }
        }

        private static MethodDefinition BaseRoutine(MethodDefinition method)
        {
            try
            {
                var current = method;
                while (true)
                {
                    var baseMethod = current.GetBaseMethod();
                    if (baseMethod == null || baseMethod == current)
                    {
                        return null;
                    }

                    if (RoutineFinder.IsMarked(baseMethod))
                    {
                        return baseMethod;
                    }

                    current = baseMethod;
                }
            }
            catch (AssemblyResolutionException)
            {
                // A base type that cannot be resolved at build time cannot be checked.
                return null;
            }
        }
    }
}
