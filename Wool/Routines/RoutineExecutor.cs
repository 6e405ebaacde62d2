using System.Runtime.Loader;
using Wool.Context;
using Wool.Serialization;

namespace Wool.Routines;

/// <summary>
/// The worker side of a call: finds the routine, deserializes the call, runs the original body
/// through its invoker and serializes whatever comes out. Every failure becomes an exception
/// reply; nothing here throws to the transport. Thread-safe; calls run concurrently.
/// </summary>
internal static class RoutineExecutor
{
    public static async ValueTask<RoutineReply> InvokeAsync(RoutineRequest request, CancellationToken cancellationToken, IArgumentSource? arguments = null)
    {
        Routine routine;
        try
        {
            routine = RoutineRegistry.Resolve(request.AssemblyName, request.RoutineId, request.ModuleVersionId);
        }
        catch (Exception e)
        {
            return RoutineReply.Failure(e);
        }

        // A shipped build's routine reads and runs in its build: type names resolve to that build's types.
        using AssemblyLoadContext.ContextualReflectionScope build = EnterBuildOf(routine);
        return await InvokeAsync(routine, request, cancellationToken, arguments).ConfigureAwait(false);
    }

    /// <summary>Enters the load context of a shipped build's routine (a no-op for the application's own).</summary>
    internal static AssemblyLoadContext.ContextualReflectionScope EnterBuildOf(Routine routine)
        => routine.DeclaringType.IsCollectible && AssemblyLoadContext.GetLoadContext(routine.DeclaringType.Assembly) is { } context ? context.EnterContextualReflection() : default;

    private static async ValueTask<RoutineReply> InvokeAsync(Routine routine, RoutineRequest request, CancellationToken cancellationToken, IArgumentSource? arguments)
    {
        UnaryInvoker invoker;
        object?[] values;
        object? target;
        try
        {
            invoker = routine.GetUnaryInvoker(request.TypeArguments);
            values = RoutinePayload.DeserializeCall(routine, request.Payload, out target);
            StreamArguments.Bind(routine, values, arguments);
        }
        catch (Exception e)
        {
            return RoutineReply.Failure(e);
        }

        object? result;
        try
        {
            // The routine starts with the caller's values; its own changes stay in its flow.
            AmbientContext.Apply(request.Context);
            result = await invoker(target, values, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            return RoutineReply.Failure(e);
        }

        try
        {
            return RoutineReply.Value(RoutinePayload.SerializeValue(routine, result, "result"));
        }
        catch (Exception e)
        {
            return RoutineReply.Failure(e);
        }
    }

    /// <summary>Opens a streaming routine; a failure to start surfaces at the first step.</summary>
    public static IRoutineStream OpenStream(RoutineRequest request, CancellationToken cancellationToken, IArgumentSource? arguments = null)
        => OpenStream(request, cancellationToken, arguments, out _);

    /// <summary>Opens a streaming routine; <paramref name="prefetch"/> is its window (0: strict pull, and for a stream that failed to open).</summary>
    public static IRoutineStream OpenStream(RoutineRequest request, CancellationToken cancellationToken, IArgumentSource? arguments, out int prefetch)
    {
        prefetch = 0;
        try
        {
            Routine routine = RoutineRegistry.Resolve(request.AssemblyName, request.RoutineId, request.ModuleVersionId);
            using AssemblyLoadContext.ContextualReflectionScope build = EnterBuildOf(routine);
            prefetch = routine.Prefetch;
            StreamInvoker invoker = routine.GetStreamInvoker(request.TypeArguments);
            object?[] values = RoutinePayload.DeserializeCall(routine, request.Payload, out object? target);
            StreamArguments.Bind(routine, values, arguments);
            return new RoutineStream(routine, invoker(target, values, cancellationToken), cancellationToken);
        }
        catch (Exception e)
        {
            return new FailedRoutineStream(e);
        }
    }
}
