using System.ComponentModel;
using System.Runtime.CompilerServices;
using Wool.Serialization;
using Wool.Telemetry;

namespace Wool.Routines;

/// <summary>
/// The entry points woven routine stubs call: serialize the call, send it through the ambient
/// runner (<see cref="AmbientRunner"/>) and turn the reply back into the routine's return type. Not meant
/// to be called by user code.
/// </summary>
/// <remarks>
/// Failures that happen before a worker is contacted (no pool, an argument that cannot be
/// serialized, a token already cancelled) are returned as faulted or cancelled tasks, exactly
/// as a local async method reports exceptions through its task.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class RoutineDispatch
{
    /// <summary>Dispatches a routine that returns <see cref="Task"/>.</summary>
    public static Task Invoke(Routine routine, object? target, object?[] arguments, Type[]? typeArguments, CancellationToken cancellationToken)
        => Invoke<object?>(routine, target, arguments, typeArguments, cancellationToken);

    /// <summary>Dispatches a routine that returns <see cref="Task{TResult}"/>.</summary>
    public static Task<T> Invoke<T>(Routine routine, object? target, object?[] arguments, Type[]? typeArguments, CancellationToken cancellationToken)
        => cancellationToken.IsCancellationRequested
            ? Task.FromCanceled<T>(cancellationToken)
            : InvokeAsync<T>(routine, target, arguments, typeArguments, cancellationToken);

    /// <summary>Dispatches a routine that returns <see cref="ValueTask"/>.</summary>
    public static ValueTask InvokeValueTask(Routine routine, object? target, object?[] arguments, Type[]? typeArguments, CancellationToken cancellationToken)
        => new(Invoke<object?>(routine, target, arguments, typeArguments, cancellationToken));

    /// <summary>Dispatches a routine that returns <see cref="ValueTask{TResult}"/>.</summary>
    public static ValueTask<T> InvokeValueTask<T>(Routine routine, object? target, object?[] arguments, Type[]? typeArguments, CancellationToken cancellationToken)
        => new(Invoke<T>(routine, target, arguments, typeArguments, cancellationToken));

    /// <summary>
    /// Dispatches a routine that returns <see cref="IAsyncEnumerable{T}"/>. As with a local async
    /// iterator, nothing runs until the stream is enumerated; the routine's token parameter and
    /// the enumerator's token (<c>WithCancellation</c>) both cancel it.
    /// </summary>
    public static IAsyncEnumerable<T> Stream<T>(Routine routine, object? target, object?[] arguments, Type[]? typeArguments, CancellationToken cancellationToken)
        => StreamAsync<T>(routine, target, arguments, typeArguments, cancellationToken, default);

    // Async from the start: the client span is current in this call's flow only, and a failure
    // before any worker is contacted (no pool, an argument that cannot be serialized) faults the task.
    private static async Task<T> InvokeAsync<T>(Routine routine, object? target, object?[] arguments, Type[]? typeArguments, CancellationToken cancellationToken)
    {
        ClientCallTelemetry? telemetry = ClientCallTelemetry.Start(routine.Name, streaming: false);
        try
        {
            IRoutineRunner pool = AmbientRunner.For(routine);
            RoutineRequest request = RoutineRequest.Create(routine, target, arguments, typeArguments, telemetry);
            telemetry?.Sent(request.Payload.Length);
            RoutineReply reply = await pool.InvokeAsync(request, cancellationToken).ConfigureAwait(false);
            telemetry?.Received(reply.Payload.Length);
            if (reply.Kind == RoutineReplyKind.Exception)
            {
                throw RoutinePayload.DeserializeException(routine, reply.Payload);
            }

            T result = RoutinePayload.DeserializeValue<T>(routine, reply.Payload, "result");
            telemetry?.End(null);
            return result;
        }
        catch (Exception e) when (telemetry is not null)
        {
            telemetry.End(e);
            throw;
        }
    }

    private static async IAsyncEnumerable<T> StreamAsync<T>(
        Routine routine,
        object? target,
        object?[] arguments,
        Type[]? typeArguments,
        CancellationToken callToken,
        [EnumeratorCancellation] CancellationToken enumeratorToken)
    {
        using CancellationTokenSource? linked = callToken.CanBeCanceled && enumeratorToken.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(callToken, enumeratorToken)
            : null;
        CancellationToken cancellationToken = linked?.Token ?? (callToken.CanBeCanceled ? callToken : enumeratorToken);
        cancellationToken.ThrowIfCancellationRequested();

        // One span for the stream's whole life: from its first pull to its end, its failure, or the
        // caller disposing of it early (an early end is a success: the caller had what it wanted).
        ClientCallTelemetry? telemetry = ClientCallTelemetry.Start(routine.Name, streaming: true);
        Exception? failure = null;
        IRoutineStream? stream = null;
        try
        {
            IRoutineRunner pool = AmbientRunner.For(routine);
            RoutineRequest request = RoutineRequest.Create(routine, target, arguments, typeArguments, telemetry);
            telemetry?.Sent(request.Payload.Length);
            stream = pool.OpenStream(request, cancellationToken);
            while (true)
            {
                T item;
                try
                {
                    RoutineReply reply = await stream.NextAsync(cancellationToken).ConfigureAwait(false);
                    telemetry?.Received(reply.Payload.Length);
                    if (reply.Kind == RoutineReplyKind.Completed)
                    {
                        break;
                    }

                    if (reply.Kind == RoutineReplyKind.Exception)
                    {
                        throw RoutinePayload.DeserializeException(routine, reply.Payload);
                    }

                    telemetry?.Item();
                    item = RoutinePayload.DeserializeValue<T>(routine, reply.Payload, "stream item");
                }
                catch (Exception e)
                {
                    failure = e;
                    throw;
                }

                yield return item;
            }
        }
        finally
        {
            try
            {
                if (stream is not null)
                {
                    // The worker's finally blocks run now; what they throw is the stream's outcome.
                    await stream.DisposeAsync().ConfigureAwait(false);
                }
            }
            catch (Exception e)
            {
                failure ??= e;
                throw;
            }
            finally
            {
                telemetry?.End(failure);
            }
        }
    }
}
