using System.Collections.Concurrent;
using System.ComponentModel;
using System.Reflection;

namespace Wool.Routines;

/// <summary>
/// Describes one woven routine: its identity on the wire and how a worker invokes it. One
/// instance exists per routine per process, created by the weaver-emitted module initializer of
/// the routine's assembly; it is immutable and thread-safe.
/// </summary>
/// <remarks>
/// Workers find a routine by <see cref="AssemblyName"/> and <see cref="Id"/> and call its
/// invoker directly: there is no reflection per call. Generic routines are closed once per
/// distinct set of type arguments and cached.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class Routine
{
    private readonly Delegate? _invoker;
    private readonly RuntimeMethodHandle _genericInvoker;
    private readonly ConcurrentDictionary<string, Delegate>? _closedInvokers;

    private Routine(Type declaringType, string id, string name, string[] parameterNames, Delegate? invoker, RuntimeMethodHandle genericInvoker, int prefetch = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(prefetch);
        Prefetch = prefetch;
        ArgumentNullException.ThrowIfNull(declaringType);
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(parameterNames);
        DeclaringType = declaringType;
        Id = id;
        Name = name;
        ParameterNames = parameterNames;
        _invoker = invoker;
        _genericInvoker = genericInvoker;
        if (invoker is null)
        {
            _closedInvokers = new ConcurrentDictionary<string, Delegate>(StringComparer.Ordinal);
        }

        Module module = declaringType.Module;
        AssemblyName = declaringType.Assembly.FullName!;
        ModuleVersionId = module.ModuleVersionId;
    }

    /// <summary>The routine's identity within its assembly (its IL signature).</summary>
    public string Id { get; }

    /// <summary>The routine's name as a person reads it, e.g. <c>Orders.Submit</c> or <c>lambda in Program.Main</c>.</summary>
    public string Name { get; }

    /// <summary>The type that declares the routine (for lambdas and local functions, the compiler's closure type).</summary>
    public Type DeclaringType { get; }

    /// <summary>The names of the serialized parameters, in order (cancellation tokens excluded).</summary>
    public IReadOnlyList<string> ParameterNames { get; }

    /// <summary>The full name of the assembly that declares the routine.</summary>
    public string AssemblyName { get; }

    /// <summary>The build identity of the module that declares the routine.</summary>
    public Guid ModuleVersionId { get; }

    /// <summary>For a streaming routine, how many items the worker may produce ahead of the caller (0: strict pull).</summary>
    public int Prefetch { get; }

    /// <summary>Registers a non-generic routine that returns a task. Called by woven code only.</summary>
    public static Routine Register(Type declaringType, string id, string name, string[] parameterNames, UnaryInvoker invoker)
        => RoutineRegistry.Add(new Routine(declaringType, id, name, parameterNames, invoker ?? throw new ArgumentNullException(nameof(invoker)), default));

    /// <summary>Registers a non-generic streaming routine. Called by woven code only.</summary>
    public static Routine Register(Type declaringType, string id, string name, string[] parameterNames, StreamInvoker invoker, int prefetch)
        => RoutineRegistry.Add(new Routine(declaringType, id, name, parameterNames, invoker ?? throw new ArgumentNullException(nameof(invoker)), default, prefetch));

    /// <summary>
    /// Registers a generic routine (a generic method, or a method of a generic type). The invoker
    /// is the open generic invoker method; it is closed per call-site type arguments, once each.
    /// Called by woven code only.
    /// </summary>
    public static Routine RegisterGeneric(Type declaringType, string id, string name, string[] parameterNames, RuntimeMethodHandle invoker, int prefetch)
        => RoutineRegistry.Add(new Routine(declaringType, id, name, parameterNames, null, invoker, prefetch));

    /// <inheritdoc />
    public override string ToString() => Name;

    internal UnaryInvoker GetUnaryInvoker(string[]? typeArguments)
        => GetInvoker(typeArguments) as UnaryInvoker
           ?? throw new RoutineInvocationException($"Routine '{Name}' returns a stream; it cannot be invoked as a single-result call. Call it with 'await foreach'.");

    internal StreamInvoker GetStreamInvoker(string[]? typeArguments)
        => GetInvoker(typeArguments) as StreamInvoker
           ?? throw new RoutineInvocationException($"Routine '{Name}' returns a single result; it cannot be enumerated as a stream. Call it with 'await'.");

    private Delegate GetInvoker(string[]? typeArguments)
    {
        if (_invoker is not null)
        {
            return _invoker;
        }

        if (typeArguments is null || typeArguments.Length == 0)
        {
            throw new RoutineInvocationException($"Routine '{Name}' is generic but the call carried no type arguments. Caller and worker must run the same build of '{AssemblyName}'.");
        }

        string key = string.Join('|', typeArguments);
        return _closedInvokers!.TryGetValue(key, out Delegate? closed) ? closed : _closedInvokers.GetOrAdd(key, _ => Close(typeArguments));
    }

    private Delegate Close(string[] typeArgumentNames)
    {
        Type[] typeArguments = new Type[typeArgumentNames.Length];
        for (int i = 0; i < typeArguments.Length; i++)
        {
            typeArguments[i] = Type.GetType(Serialization.Types.TypeNameLimit.Checked(typeArgumentNames[i]), throwOnError: false)
                ?? throw new RoutineInvocationException($"Routine '{Name}' was called with type argument '{typeArgumentNames[i]}', which this process cannot load. Deploy the assembly that defines it next to the worker.");
            try
            {
                // A type argument is a type the routine's code will work with: the same rule as payloads.
                Serialization.WoolSerializer.CheckAllowed(typeArguments[i]);
            }
            catch (TypeAccessException e)
            {
                throw new WoolSerializationException($"Routine '{Name}' was called with type argument '{typeArgumentNames[i]}': {e.Message}.", e);
            }
        }

        int typeArity = DeclaringType.IsGenericTypeDefinition ? DeclaringType.GetGenericArguments().Length : 0;
        Type owner = typeArity > 0 ? DeclaringType.MakeGenericType(typeArguments[..typeArity]) : DeclaringType;
        var method = (MethodInfo)MethodBase.GetMethodFromHandle(_genericInvoker, owner.TypeHandle)!;
        if (method.IsGenericMethodDefinition)
        {
            method = method.MakeGenericMethod(typeArguments[typeArity..]);
        }

        Type delegateType = method.ReturnType == typeof(ValueTask<object?>) ? typeof(UnaryInvoker) : typeof(StreamInvoker);
        return method.CreateDelegate(delegateType);
    }
}
