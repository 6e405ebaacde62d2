using Mono.Cecil;

namespace Wool.Fody
{
    /// <summary>
    /// The module's <c>&lt;Wool&gt;Routines</c> class: one static field per routine, holding its
    /// runtime descriptor, set by the module initializer and read by the routine's stub.
    /// </summary>
    internal sealed class RoutineTable
    {
        private readonly RuntimeReferences _references;
        private TypeDefinition _type;

        public RoutineTable(RuntimeReferences references) => _references = references;

        public FieldDefinition AddField()
        {
            if (_type == null)
            {
                _type = new TypeDefinition(
                    string.Empty,
                    "<Wool>Routines",
                    TypeAttributes.NotPublic | TypeAttributes.Abstract | TypeAttributes.Sealed | TypeAttributes.Class | TypeAttributes.BeforeFieldInit,
                    _references.Object);
                _type.CustomAttributes.Add(new CustomAttribute(_references.CompilerGeneratedConstructor));
                _references.Module.Types.Add(_type);
            }

            var field = new FieldDefinition($"Routine{_type.Fields.Count}", FieldAttributes.Assembly | FieldAttributes.Static, _references.Routine);
            _type.Fields.Add(field);
            return field;
        }
    }
}
