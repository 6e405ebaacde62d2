using System.Linq;
using Mono.Cecil;

namespace Wool.Fody
{
    /// <summary>
    /// Generic plumbing for methods the weaver adds beside a routine: copying a method's generic
    /// parameters (with constraints) to a new method, mapping types from one method's generic
    /// parameters to another's, and referring to members of a generic type from inside it.
    /// </summary>
    internal static class Generics
    {
        /// <summary>The type as seen from inside itself: <c>C&lt;T&gt;</c> rather than the open <c>C`1</c>.</summary>
        public static TypeReference SelfType(TypeDefinition type)
        {
            if (!type.HasGenericParameters)
            {
                return type;
            }

            var instance = new GenericInstanceType(type);
            foreach (var parameter in type.GenericParameters)
            {
                instance.GenericArguments.Add(parameter);
            }

            return instance;
        }

        /// <summary>Gives <paramref name="target"/> the generic parameters of <paramref name="source"/>.</summary>
        public static void CopyGenericParameters(MethodDefinition source, MethodDefinition target)
        {
            foreach (var parameter in source.GenericParameters)
            {
                target.GenericParameters.Add(new GenericParameter(parameter.Name, target) { Attributes = parameter.Attributes });
            }

            for (int i = 0; i < source.GenericParameters.Count; i++)
            {
                foreach (var constraint in source.GenericParameters[i].Constraints)
                {
                    target.GenericParameters[i].Constraints.Add(new GenericParameterConstraint(Remap(constraint.ConstraintType, source, target)));
                }
            }
        }

        /// <summary>Rewrites <paramref name="type"/> so that <paramref name="from"/>'s method generic parameters become <paramref name="to"/>'s.</summary>
        public static TypeReference Remap(TypeReference type, MethodDefinition from, MethodReference to)
        {
            switch (type)
            {
                case GenericParameter parameter when parameter.Owner == from:
                    return to.GenericParameters[parameter.Position];
                case GenericInstanceType instance:
                    var remapped = new GenericInstanceType(instance.ElementType);
                    foreach (var argument in instance.GenericArguments)
                    {
                        remapped.GenericArguments.Add(Remap(argument, from, to));
                    }

                    return remapped;
                case ArrayType array:
                    return new ArrayType(Remap(array.ElementType, from, to), array.Rank);
                case ByReferenceType byReference:
                    return new ByReferenceType(Remap(byReference.ElementType, from, to));
                default:
                    return type;
            }
        }

        /// <summary>
        /// A reference to <paramref name="method"/> as called from code inside its declaring type:
        /// on a generic type the reference goes through the type's self-instantiation, and on a
        /// generic method it is instantiated with <paramref name="caller"/>'s own generic parameters.
        /// </summary>
        public static MethodReference ReferenceFrom(MethodDefinition method, MethodDefinition caller)
        {
            MethodReference reference = method;
            if (method.DeclaringType.HasGenericParameters)
            {
                reference = new MethodReference(method.Name, method.ReturnType, SelfType(method.DeclaringType))
                {
                    HasThis = method.HasThis,
                    ExplicitThis = method.ExplicitThis,
                    CallingConvention = method.CallingConvention,
                };
                foreach (var parameter in method.Parameters)
                {
                    reference.Parameters.Add(new ParameterDefinition(parameter.ParameterType));
                }

                foreach (var parameter in method.GenericParameters)
                {
                    reference.GenericParameters.Add(new GenericParameter(parameter.Name, reference));
                }
            }

            if (!method.HasGenericParameters)
            {
                return reference;
            }

            var instance = new GenericInstanceMethod(reference);
            foreach (var parameter in caller.GenericParameters.Take(method.GenericParameters.Count))
            {
                instance.GenericArguments.Add(parameter);
            }

            return instance;
        }
    }
}
