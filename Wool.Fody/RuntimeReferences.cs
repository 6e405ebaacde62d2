using System;
using System.Linq;
using Fody;
using Mono.Cecil;

namespace Wool.Fody
{
    /// <summary>
    /// Every runtime type and member the woven code uses, resolved and imported once. A name that
    /// does not exist in the referenced Wool runtime fails the weave with a clear message, so a
    /// weaver/runtime mismatch cannot produce an assembly that breaks at run time.
    /// </summary>
    internal sealed class RuntimeReferences
    {
        public RuntimeReferences(BaseModuleWeaver weaver)
        {
            Module = weaver.ModuleDefinition;
            Object = weaver.TypeSystem.ObjectReference;
            String = weaver.TypeSystem.StringReference;
            Void = weaver.TypeSystem.VoidReference;

            var type = Find(weaver, "System.Type");
            GetTypeFromHandle = Import(type, "GetTypeFromHandle");
            TypeReference = Module.ImportReference(type);
            var cancellationToken = Find(weaver, "System.Threading.CancellationToken");
            CancellationToken = Module.ImportReference(cancellationToken);
            CancellationTokenNone = Import(cancellationToken, "get_None");
            CompilerGeneratedConstructor = Import(Find(weaver, "System.Runtime.CompilerServices.CompilerGeneratedAttribute"), ".ctor");

            var routine = Find(weaver, "Wool.Routines.Routine");
            Routine = Module.ImportReference(routine);
            RegisterUnary = Import(routine, "Register", m => m.Parameters.Count == 5 && m.Parameters[4].ParameterType.Name == "UnaryInvoker");
            RegisterStream = Import(routine, "Register", m => m.Parameters.Count == 6 && m.Parameters[4].ParameterType.Name == "StreamInvoker");
            RegisterGeneric = Import(routine, "RegisterGeneric");

            var unaryInvoker = Find(weaver, "Wool.Routines.UnaryInvoker");
            UnaryInvokerConstructor = Import(unaryInvoker, ".ctor");
            var streamInvoker = Find(weaver, "Wool.Routines.StreamInvoker");
            StreamInvokerConstructor = Import(streamInvoker, ".ctor");
            UnaryInvokerReturnType = Module.ImportReference(unaryInvoker.Methods.Single(m => m.Name == "Invoke").ReturnType);
            StreamInvokerReturnType = Module.ImportReference(streamInvoker.Methods.Single(m => m.Name == "Invoke").ReturnType);

            var dispatch = Find(weaver, "Wool.Routines.RoutineDispatch");
            Invoke = Import(dispatch, "Invoke", m => !m.HasGenericParameters);
            InvokeOfT = Import(dispatch, "Invoke", m => m.HasGenericParameters);
            InvokeValueTask = Import(dispatch, "InvokeValueTask", m => !m.HasGenericParameters);
            InvokeValueTaskOfT = Import(dispatch, "InvokeValueTask", m => m.HasGenericParameters);
            Stream = Import(dispatch, "Stream");

            var results = Find(weaver, "Wool.Routines.RoutineResults");
            FromTask = Import(results, "FromTask", m => !m.HasGenericParameters);
            FromTaskOfT = Import(results, "FromTask", m => m.HasGenericParameters);
            FromValueTask = Import(results, "FromValueTask", m => !m.HasGenericParameters);
            FromValueTaskOfT = Import(results, "FromValueTask", m => m.HasGenericParameters);
            FromStream = Import(results, "FromStream");
        }

        public ModuleDefinition Module { get; }

        public TypeReference Object { get; }

        public TypeReference String { get; }

        public TypeReference Void { get; }

        public TypeReference TypeReference { get; }

        public MethodReference GetTypeFromHandle { get; }

        public TypeReference CancellationToken { get; }

        public MethodReference CancellationTokenNone { get; }

        public MethodReference CompilerGeneratedConstructor { get; }

        public TypeReference Routine { get; }

        public MethodReference RegisterUnary { get; }

        public MethodReference RegisterStream { get; }

        public MethodReference RegisterGeneric { get; }

        public MethodReference UnaryInvokerConstructor { get; }

        public MethodReference StreamInvokerConstructor { get; }

        public TypeReference UnaryInvokerReturnType { get; }

        public TypeReference StreamInvokerReturnType { get; }

        public MethodReference Invoke { get; }

        public MethodReference InvokeOfT { get; }

        public MethodReference InvokeValueTask { get; }

        public MethodReference InvokeValueTaskOfT { get; }

        public MethodReference Stream { get; }

        public MethodReference FromTask { get; }

        public MethodReference FromTaskOfT { get; }

        public MethodReference FromValueTask { get; }

        public MethodReference FromValueTaskOfT { get; }

        public MethodReference FromStream { get; }

        /// <summary>The dispatch entry point a stub of this kind calls.</summary>
        public MethodReference DispatchFor(RoutineKind kind, TypeReference resultType)
        {
            switch (kind)
            {
                case RoutineKind.Task: return Invoke;
                case RoutineKind.ValueTask: return InvokeValueTask;
                case RoutineKind.TaskOfT: return Instantiate(InvokeOfT, resultType);
                case RoutineKind.ValueTaskOfT: return Instantiate(InvokeValueTaskOfT, resultType);
                default: return Instantiate(Stream, resultType);
            }
        }

        /// <summary>The result adapter an invoker of this kind calls.</summary>
        public MethodReference AdapterFor(RoutineKind kind, TypeReference resultType)
        {
            switch (kind)
            {
                case RoutineKind.Task: return FromTask;
                case RoutineKind.ValueTask: return FromValueTask;
                case RoutineKind.TaskOfT: return Instantiate(FromTaskOfT, resultType);
                case RoutineKind.ValueTaskOfT: return Instantiate(FromValueTaskOfT, resultType);
                default: return Instantiate(FromStream, resultType);
            }
        }

        private static MethodReference Instantiate(MethodReference method, TypeReference argument)
        {
            var instance = new GenericInstanceMethod(method);
            instance.GenericArguments.Add(argument);
            return instance;
        }

        private static TypeDefinition Find(BaseModuleWeaver weaver, string name)
        {
            if (weaver.TryFindTypeDefinition(name, out var type))
            {
                return type;
            }

            throw new WeavingException($"WOOL900: Could not weave because type '{name}' was not found. Reference the Wool runtime package matching this weaver.");
        }

        private MethodReference Import(TypeDefinition type, string name, Func<MethodDefinition, bool> predicate = null)
        {
            var method = type.Methods.FirstOrDefault(m => m.Name == name && (predicate == null || predicate(m)));
            if (method == null)
            {
                throw new WeavingException($"WOOL900: Could not weave because '{type.FullName}.{name}' was not found. Reference the Wool runtime package matching this weaver.");
            }

            return Module.ImportReference(method);
        }
    }
}
