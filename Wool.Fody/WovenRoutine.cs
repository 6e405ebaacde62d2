using System.Collections.Generic;
using Mono.Cecil;

namespace Wool.Fody
{
    /// <summary>What the registration needs to know of one woven routine.</summary>
    internal sealed class WovenRoutine
    {
        public WovenRoutine(MethodDefinition stub, MethodDefinition invoker, FieldDefinition field, RoutineKind kind, string id, string name, IReadOnlyList<string> parameterNames, int prefetch)
        {
            Stub = stub;
            Invoker = invoker;
            Field = field;
            Kind = kind;
            Id = id;
            Name = name;
            ParameterNames = parameterNames;
            Prefetch = prefetch;
        }

        /// <summary>How many stream items the worker may produce ahead of the caller ([Routine(Prefetch = n)]).</summary>
        public int Prefetch { get; }

        public MethodDefinition Stub { get; }

        public MethodDefinition Invoker { get; }

        public FieldDefinition Field { get; }

        public RoutineKind Kind { get; }

        public string Id { get; }

        public string Name { get; }

        public IReadOnlyList<string> ParameterNames { get; }

        /// <summary>Whether the invoker can only be closed at run time, per call-site type arguments.</summary>
        public bool IsGeneric => Stub.HasGenericParameters || Stub.DeclaringType.HasGenericParameters;
    }
}
