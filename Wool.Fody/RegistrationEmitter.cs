using System.Collections.Generic;
using System.Linq;
using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Wool.Fody
{
    /// <summary>
    /// Emits the module initializer code that registers every routine with the runtime: it runs
    /// before any code of the module, in the caller (so stubs find their descriptor) and on a
    /// worker that loads the assembly (so calls find their invoker without reflection).
    /// </summary>
    internal sealed class RegistrationEmitter
    {
        private readonly ModuleDefinition _module;
        private readonly RuntimeReferences _references;

        public RegistrationEmitter(ModuleDefinition module, RuntimeReferences references)
        {
            _module = module;
            _references = references;
        }

        public void Emit(IReadOnlyList<WovenRoutine> routines)
        {
            var initializer = ModuleInitializer();
            var code = new List<Instruction>();
            foreach (var routine in routines)
            {
                EmitRegistration(code, routine);
            }

            var body = initializer.Body.Instructions;
            for (int i = code.Count - 1; i >= 0; i--)
            {
                body.Insert(0, code[i]);
            }
        }

        private void EmitRegistration(List<Instruction> code, WovenRoutine routine)
        {
            code.Add(Instruction.Create(OpCodes.Ldtoken, routine.Stub.DeclaringType));
            code.Add(Instruction.Create(OpCodes.Call, _references.GetTypeFromHandle));
            code.Add(Instruction.Create(OpCodes.Ldstr, routine.Id));
            code.Add(Instruction.Create(OpCodes.Ldstr, routine.Name));
            code.Add(Instruction.Create(OpCodes.Ldc_I4, routine.ParameterNames.Count));
            code.Add(Instruction.Create(OpCodes.Newarr, _references.String));
            for (int i = 0; i < routine.ParameterNames.Count; i++)
            {
                code.Add(Instruction.Create(OpCodes.Dup));
                code.Add(Instruction.Create(OpCodes.Ldc_I4, i));
                code.Add(Instruction.Create(OpCodes.Ldstr, routine.ParameterNames[i]));
                code.Add(Instruction.Create(OpCodes.Stelem_Ref));
            }

            if (routine.IsGeneric)
            {
                code.Add(Instruction.Create(OpCodes.Ldtoken, routine.Invoker));
                code.Add(Instruction.Create(OpCodes.Ldc_I4, routine.Prefetch));
                code.Add(Instruction.Create(OpCodes.Call, _references.RegisterGeneric));
            }
            else
            {
                bool stream = routine.Kind == RoutineKind.Stream;
                code.Add(Instruction.Create(OpCodes.Ldnull));
                code.Add(Instruction.Create(OpCodes.Ldftn, routine.Invoker));
                code.Add(Instruction.Create(OpCodes.Newobj, stream ? _references.StreamInvokerConstructor : _references.UnaryInvokerConstructor));
                if (stream)
                {
                    code.Add(Instruction.Create(OpCodes.Ldc_I4, routine.Prefetch));
                }

                code.Add(Instruction.Create(OpCodes.Call, stream ? _references.RegisterStream : _references.RegisterUnary));
            }

            code.Add(Instruction.Create(OpCodes.Stsfld, routine.Field));
        }

        private MethodDefinition ModuleInitializer()
        {
            var moduleType = _module.Types.First(t => t.Name == "<Module>");
            var cctor = moduleType.Methods.FirstOrDefault(m => m.IsConstructor && m.IsStatic);
            if (cctor != null)
            {
                return cctor;
            }

            cctor = new MethodDefinition(
                ".cctor",
                MethodAttributes.Private | MethodAttributes.Static | MethodAttributes.HideBySig | MethodAttributes.SpecialName | MethodAttributes.RTSpecialName,
                _references.Void);
            cctor.Body.Instructions.Add(Instruction.Create(OpCodes.Ret));
            moduleType.Methods.Add(cctor);
            return cctor;
        }
    }
}
