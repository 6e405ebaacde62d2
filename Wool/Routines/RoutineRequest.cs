using Wool.Context;
using Wool.Serialization;

namespace Wool.Routines;

/// <summary>
/// One call of a routine, serialized: which routine (assembly, id, build), the type arguments of
/// a generic routine, and the payload <c>[target, arguments…]</c>. Immutable once created.
/// </summary>
internal sealed class RoutineRequest(string assemblyName, string routineId, Guid moduleVersionId, string[]? typeArguments, ReadOnlyMemory<byte> payload, ContextValues? context = null)
{
    public string AssemblyName { get; } = assemblyName;

    public string RoutineId { get; } = routineId;

    public Guid ModuleVersionId { get; } = moduleVersionId;

    public string[]? TypeArguments { get; } = typeArguments;

    public ReadOnlyMemory<byte> Payload { get; } = payload;

    /// <summary>The caller's context values at the time of the call.</summary>
    public ContextValues Context { get; } = context ?? ContextValues.Empty;

    /// <summary>How long a worker may take to accept the call (WoolContext.DispatchTimeout), caller side.</summary>
    public TimeSpan? DispatchTimeout { get; private init; }

    /// <summary>The routine, on the caller's side (null on a worker, which resolves it from the registry).</summary>
    public Routine? Routine { get; private init; }

    /// <summary>The caller's <see cref="IAsyncEnumerable{T}"/> arguments, streamed as the routine pulls them (caller side only).</summary>
    public IReadOnlyList<StreamArgument>? StreamArguments { get; private init; }

    /// <summary>The routine's name for messages: its display name at the caller, its id on a worker.</summary>
    public string RoutineName => Routine?.Name ?? RoutineId;

    /// <summary>The call's client span and metrics (caller side, when something listens): the pool reports the workers it tried.</summary>
    public Telemetry.ClientCallTelemetry? Telemetry { get; private init; }

    /// <summary>Serializes a call at the caller; throws <see cref="WoolSerializationException"/> before any worker is contacted.</summary>
    public static RoutineRequest Create(Routine routine, object? target, object?[] arguments, Type[]? typeArguments, Telemetry.ClientCallTelemetry? telemetry = null)
    {
        string[]? typeNames = null;
        if (typeArguments is { Length: > 0 })
        {
            typeNames = new string[typeArguments.Length];
            for (int i = 0; i < typeNames.Length; i++)
            {
                typeNames[i] = typeArguments[i].AssemblyQualifiedName!;
            }
        }

        ContextValues context = AmbientContext.Capture();
        List<StreamArgument>? streams = Routines.StreamArguments.Extract(routine, arguments);
        byte[] payload = RoutinePayload.SerializeCall(routine, target, arguments);
        return new RoutineRequest(routine.AssemblyName, routine.Id, routine.ModuleVersionId, typeNames, payload, context)
        {
            Routine = routine,
            StreamArguments = streams,
            DispatchTimeout = WoolContext.CurrentDispatchTimeout,
            Telemetry = telemetry,
        };
    }
}
