using System;
using System.Linq;
using Fody;
using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Wool.Fody
{
    /// <summary>
    /// Weaves one routine. The method's body (the compiler's state machine kick-off) moves into a
    /// private twin, unchanged, so weaving does not depend on how a compiler shapes state
    /// machines; an invoker calls the twin from deserialized arguments; and the method itself
    /// becomes a stub that hands the call to the dispatcher.
    /// </summary>
    internal sealed class RoutineProcessor
    {
        private readonly RuntimeReferences _references;
        private readonly RoutineTable _table;
        private readonly MethodDefinition _method;

        public RoutineProcessor(RuntimeReferences references, RoutineTable table, MethodDefinition method)
        {
            _references = references;
            _table = table;
            _method = method;
        }

        public WovenRoutine Process()
        {
            try
            {
                string id = _method.FullName;
                var kind = RoutineShape.Classify(_method.ReturnType, out var resultType).Value;
                var parameterNames = _method.Parameters.Where(p => !RoutineShape.IsCancellationToken(p.ParameterType)).Select(p => p.Name).ToList();

                MakeReachableFromModule(_method.DeclaringType);
                var twin = MoveBodyToTwin();
                var invoker = AddInvoker(twin, kind, resultType);
                var field = _table.AddField();
                WriteStub(field, kind, resultType);
                return new WovenRoutine(_method, invoker, field, kind, id, RoutineNames.Display(_method), parameterNames, RoutineFinder.Prefetch(_method));
            }
            catch (Exception e) when (!(e is WeavingException))
            {
                throw new WeavingException($"Wool failed to weave '{_method.FullName}': {e}");
            }
        }

        /// <summary>
        /// The module initializer must name the routine's type and invoker. A private nested
        /// type (every compiler closure is one) is widened to internal: visible to nothing new
        /// outside the assembly.
        /// </summary>
        private static void MakeReachableFromModule(TypeDefinition type)
        {
            for (var t = type; t != null && t.IsNested; t = t.DeclaringType)
            {
                if (t.IsNestedPrivate || t.IsNestedFamily || t.IsNestedFamilyAndAssembly)
                {
                    t.Attributes = (t.Attributes & ~TypeAttributes.VisibilityMask) | TypeAttributes.NestedAssembly;
                }
            }
        }

        private MethodDefinition MoveBodyToTwin()
        {
            var twin = new MethodDefinition(
                _method.Name + "$WoolBody",
                MethodAttributes.Private | MethodAttributes.HideBySig | (_method.Attributes & MethodAttributes.Static),
                _references.Void);
            Generics.CopyGenericParameters(_method, twin);
            twin.ReturnType = Generics.Remap(_method.ReturnType, _method, twin);
            foreach (var parameter in _method.Parameters)
            {
                var copy = new ParameterDefinition(parameter.Name, parameter.Attributes, Generics.Remap(parameter.ParameterType, _method, twin));
                foreach (var attribute in parameter.CustomAttributes)
                {
                    copy.CustomAttributes.Add(attribute);
                }

                twin.Parameters.Add(copy);
            }

            twin.CustomAttributes.Add(new CustomAttribute(_references.CompilerGeneratedConstructor));
            twin.ImplAttributes = _method.ImplAttributes;

            // Added first: a method body resolves 'this' through its declaring type.
            _method.DeclaringType.Methods.Add(twin);
            var from = _method.Body;
            var to = twin.Body;
            var fromThis = _method.HasThis ? from.ThisParameter : null;
            to.InitLocals = from.InitLocals;
            foreach (var variable in from.Variables)
            {
                to.Variables.Add(variable);
            }

            foreach (var instruction in from.Instructions)
            {
                if (fromThis != null && instruction.Operand == fromThis)
                {
                    instruction.Operand = to.ThisParameter;
                }
                else if (instruction.Operand is ParameterDefinition parameter && parameter.Method == _method)
                {
                    instruction.Operand = twin.Parameters[parameter.Index];
                }

                to.Instructions.Add(instruction);
            }

            foreach (var handler in from.ExceptionHandlers)
            {
                to.ExceptionHandlers.Add(handler);
            }

            var debug = _method.DebugInformation;
            foreach (var point in debug.SequencePoints)
            {
                twin.DebugInformation.SequencePoints.Add(point);
            }

            twin.DebugInformation.Scope = debug.Scope;
            debug.SequencePoints.Clear();
            debug.Scope = null;

            _method.Body = new MethodBody(_method);
            return twin;
        }

        /// <summary>
        /// <c>static ValueTask&lt;object&gt; M$WoolInvoke(object target, object[] arguments, CancellationToken token)</c>
        /// (or <c>IAsyncEnumerable&lt;object&gt;</c> for streams): unpacks the call and runs the twin.
        /// </summary>
        private MethodDefinition AddInvoker(MethodDefinition twin, RoutineKind kind, TypeReference resultType)
        {
            var invoker = new MethodDefinition(
                _method.Name + "$WoolInvoke",
                MethodAttributes.Assembly | MethodAttributes.Static | MethodAttributes.HideBySig,
                kind == RoutineKind.Stream ? _references.StreamInvokerReturnType : _references.UnaryInvokerReturnType);
            Generics.CopyGenericParameters(_method, invoker);
            invoker.Parameters.Add(new ParameterDefinition("target", ParameterAttributes.None, _references.Object));
            invoker.Parameters.Add(new ParameterDefinition("arguments", ParameterAttributes.None, new ArrayType(_references.Object)));
            invoker.Parameters.Add(new ParameterDefinition("cancellationToken", ParameterAttributes.None, _references.CancellationToken));
            invoker.CustomAttributes.Add(new CustomAttribute(_references.CompilerGeneratedConstructor));

            var il = invoker.Body.GetILProcessor();
            if (!_method.IsStatic)
            {
                var self = Generics.SelfType(_method.DeclaringType);
                il.Emit(OpCodes.Ldarg_0);
                // A struct's boxed copy is unboxed in place: the call receives a pointer into the box.
                il.Emit(_method.DeclaringType.IsValueType ? OpCodes.Unbox : OpCodes.Castclass, self);
            }

            int argument = 0;
            foreach (var parameter in twin.Parameters)
            {
                if (RoutineShape.IsCancellationToken(parameter.ParameterType))
                {
                    il.Emit(OpCodes.Ldarg_2);
                    continue;
                }

                il.Emit(OpCodes.Ldarg_1);
                il.Emit(OpCodes.Ldc_I4, argument++);
                il.Emit(OpCodes.Ldelem_Ref);
                il.Emit(OpCodes.Unbox_Any, Generics.Remap(_method.Parameters[parameter.Index].ParameterType, _method, invoker));
            }

            il.Emit(OpCodes.Call, Generics.ReferenceFrom(twin, invoker));
            var adapter = _references.AdapterFor(kind, resultType == null ? null : Generics.Remap(resultType, _method, invoker));
            if (kind == RoutineKind.Stream)
            {
                // The stream's cancellation reaches the routine through its own token parameter
                // and through the enumerator's token; the adapter adds none of its own.
                il.Emit(OpCodes.Call, _references.CancellationTokenNone);
            }

            il.Emit(OpCodes.Call, adapter);
            il.Emit(OpCodes.Ret);
            _method.DeclaringType.Methods.Add(invoker);
            return invoker;
        }

        /// <summary>
        /// The method's new body: <c>return RoutineDispatch.Invoke&lt;T&gt;(descriptor, this, new object[] { args… }, typeArguments, token);</c>
        /// </summary>
        private void WriteStub(FieldDefinition field, RoutineKind kind, TypeReference resultType)
        {
            var il = _method.Body.GetILProcessor();
            il.Emit(OpCodes.Ldsfld, field);

            if (_method.IsStatic)
            {
                il.Emit(OpCodes.Ldnull);
            }
            else if (_method.DeclaringType.IsValueType)
            {
                var self = Generics.SelfType(_method.DeclaringType);
                il.Emit(OpCodes.Ldarg_0);
                il.Emit(OpCodes.Ldobj, self);
                il.Emit(OpCodes.Box, self);
            }
            else
            {
                il.Emit(OpCodes.Ldarg_0);
            }

            var serialized = _method.Parameters.Where(p => !RoutineShape.IsCancellationToken(p.ParameterType)).ToList();
            EmitArray(il, _references.Object, serialized.Count, i =>
            {
                il.Emit(OpCodes.Ldarg, serialized[i]);
                if (serialized[i].ParameterType.IsValueType || serialized[i].ParameterType.IsGenericParameter)
                {
                    il.Emit(OpCodes.Box, serialized[i].ParameterType);
                }
            });

            EmitTypeArguments(il);

            var token = _method.Parameters.FirstOrDefault(p => RoutineShape.IsCancellationToken(p.ParameterType));
            if (token != null)
            {
                il.Emit(OpCodes.Ldarg, token);
            }
            else
            {
                il.Emit(OpCodes.Call, _references.CancellationTokenNone);
            }

            il.Emit(OpCodes.Call, _references.DispatchFor(kind, resultType));
            il.Emit(OpCodes.Ret);
        }

        /// <summary>The declaring type's generic arguments, then the method's, as <c>Type[]</c>; null when there are none.</summary>
        private void EmitTypeArguments(ILProcessor il)
        {
            var parameters = _method.DeclaringType.GenericParameters.Concat(_method.GenericParameters).ToList();
            if (parameters.Count == 0)
            {
                il.Emit(OpCodes.Ldnull);
                return;
            }

            EmitArray(il, _references.TypeReference, parameters.Count, i =>
            {
                il.Emit(OpCodes.Ldtoken, parameters[i]);
                il.Emit(OpCodes.Call, _references.GetTypeFromHandle);
            });
        }

        /// <summary>Pushes a new array of <paramref name="count"/> references, each pushed by <paramref name="emitItem"/>.</summary>
        private static void EmitArray(ILProcessor il, TypeReference elementType, int count, Action<int> emitItem)
        {
            il.Emit(OpCodes.Ldc_I4, count);
            il.Emit(OpCodes.Newarr, elementType);
            for (int i = 0; i < count; i++)
            {
                il.Emit(OpCodes.Dup);
                il.Emit(OpCodes.Ldc_I4, i);
                emitItem(i);
                il.Emit(OpCodes.Stelem_Ref);
            }
        }
    }
}
