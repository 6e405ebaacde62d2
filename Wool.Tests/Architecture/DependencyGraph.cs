using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Wool.Tests.Architecture;

/// <summary>
/// Which parts of an assembly use which, read from its metadata and IL (base types, members,
/// signatures, attributes, and every type, method and field a method body touches). A part is a
/// namespace, except in the root namespace, where each type is a part of its own: the root holds
/// the public face of the library, whose types sit at different heights.
/// </summary>
internal sealed class DependencyGraph
{
    private readonly string _root;

    private DependencyGraph(string root) => _root = root;

    /// <summary>For each edge between two parts, one pair of types that makes it (for messages).</summary>
    public Dictionary<(string From, string To), string> Edges { get; } = [];

    public static DependencyGraph Read(string assemblyPath, string rootNamespace)
    {
        var graph = new DependencyGraph(rootNamespace);
        using ModuleDefinition module = ModuleDefinition.ReadModule(assemblyPath);
        foreach (TypeDefinition type in module.GetTypes())
        {
            if (graph.PartOf(type) is not { } from)
            {
                continue;
            }

            foreach (TypeReference used in Uses(type))
            {
                if (graph.PartOf(used) is { } to && to != from)
                {
                    graph.Edges.TryAdd((from, to), $"{type.FullName} uses {used.FullName}");
                }
            }
        }

        return graph;
    }

    /// <summary>What <paramref name="part"/> depends on, directly.</summary>
    public IEnumerable<string> DependenciesOf(string part) => Edges.Keys.Where(e => e.From == part).Select(e => e.To).Order(StringComparer.Ordinal);

    public IEnumerable<string> Parts => Edges.Keys.SelectMany(e => new[] { e.From, e.To }).Distinct().Order(StringComparer.Ordinal);

    /// <summary>Every group of parts that depend on each other in a circle (strongly connected components of two or more).</summary>
    public List<List<string>> Cycles()
    {
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var cycles = new List<List<string>>();
        int next = 0;

        void Visit(string part)
        {
            index[part] = low[part] = next++;
            stack.Push(part);
            onStack.Add(part);
            foreach (string to in DependenciesOf(part))
            {
                if (!index.ContainsKey(to))
                {
                    Visit(to);
                    low[part] = Math.Min(low[part], low[to]);
                }
                else if (onStack.Contains(to))
                {
                    low[part] = Math.Min(low[part], index[to]);
                }
            }

            if (low[part] == index[part])
            {
                var component = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    component.Add(member);
                }
                while (member != part);

                if (component.Count > 1)
                {
                    cycles.Add(component);
                }
            }
        }

        foreach (string part in Parts.Where(p => !index.ContainsKey(p)).ToList())
        {
            Visit(part);
        }

        return cycles;
    }

    private string? PartOf(TypeReference reference)
    {
        while (reference is TypeSpecification specification)
        {
            reference = specification.ElementType;
        }

        if (reference is GenericParameter)
        {
            return null;
        }

        TypeDefinition? type = reference.Resolve();
        if (type is null || type.Module.Assembly.Name.Name != _root)
        {
            return null;
        }

        while (type.DeclaringType is { } outer)
        {
            type = outer;
        }

        if (type.Name.StartsWith('<') || !(type.Namespace == _root || type.Namespace.StartsWith(_root + ".", StringComparison.Ordinal)))
        {
            return null;
        }

        return type.Namespace == _root ? $"{_root}.{type.Name.Split('`')[0]} (type)" : type.Namespace;
    }

    private static IEnumerable<TypeReference> Uses(TypeDefinition type)
    {
        if (type.BaseType is { } baseType)
        {
            yield return baseType;
        }

        foreach (var contract in type.Interfaces)
        {
            yield return contract.InterfaceType;
        }

        foreach (TypeReference attribute in type.CustomAttributes.Select(a => a.AttributeType))
        {
            yield return attribute;
        }

        foreach (FieldDefinition field in type.Fields)
        {
            yield return field.FieldType;
        }

        foreach (PropertyDefinition property in type.Properties)
        {
            yield return property.PropertyType;
        }

        foreach (EventDefinition @event in type.Events)
        {
            yield return @event.EventType;
        }

        foreach (MethodDefinition method in type.Methods)
        {
            foreach (TypeReference used in Signature(method))
            {
                yield return used;
            }

            if (!method.HasBody)
            {
                continue;
            }

            foreach (VariableDefinition variable in method.Body.Variables)
            {
                yield return variable.VariableType;
            }

            foreach (Instruction instruction in method.Body.Instructions)
            {
                switch (instruction.Operand)
                {
                    case TypeReference operand:
                        yield return operand;
                        break;
                    case MethodReference called:
                        yield return called.DeclaringType;
                        foreach (TypeReference used in Signature(called))
                        {
                            yield return used;
                        }

                        break;
                    case FieldReference field:
                        yield return field.DeclaringType;
                        yield return field.FieldType;
                        break;
                }
            }
        }
    }

    private static IEnumerable<TypeReference> Signature(MethodReference method)
    {
        yield return method.ReturnType;
        foreach (ParameterDefinition parameter in method.Parameters)
        {
            yield return parameter.ParameterType;
        }

        if (method is GenericInstanceMethod generic)
        {
            foreach (TypeReference argument in generic.GenericArguments)
            {
                yield return argument;
            }
        }
    }
}
