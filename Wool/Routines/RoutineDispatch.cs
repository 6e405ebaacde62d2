using System.ComponentModel;
using System.Runtime.CompilerServices;
using Wool.Serialization;

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
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }

        IRoutineRunner pool;
        RoutineRequest request;
        try
        {
            pool = AmbientRunner.For(routine);
            request = RoutineRequest.Create(routine, target, arguments, typeArguments);
        }
        catch (Exception e)
        {
            return Task.FromException<T>(e);
        }

        return AwaitReplyAsync<T>(routine, pool, request, cancellationToken);
    }

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

    private static async Task<T> AwaitReplyAsync<T>(Routine routine, IRoutineRunner pool, RoutineRequest request, CancellationToken cancellationToken)
    {
        RoutineReply reply = await pool.InvokeAsync(request, cancellationToken).ConfigureAwait(false);
        if (reply.Kind == RoutineReplyKind.Exception)
        {
            throw RoutinePayload.DeserializeException(routine, reply.Payload);
        }

        return RoutinePayload.DeserializeValue<T>(routine, reply.Payload, "result");
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

        IRoutineRunner pool = AmbientRunner.For(routine);
        RoutineRequest request = RoutineRequest.Create(routine, target, arguments, typeArguments);
        await using IRoutineStream stream = pool.OpenStream(request, cancellationToken);
        while (true)
        {
            RoutineReply reply = await stream.NextAsync(cancellationToken).ConfigureAwait(false);
            switch (reply.Kind)
            {
                case RoutineReplyKind.Completed:
                    yield break;
                case RoutineReplyKind.Exception:
                    throw RoutinePayload.DeserializeException(routine, reply.Payload);
                default:
                    yield return RoutinePayload.DeserializeValue<T>(routine, reply.Payload, "stream item");
                    break;
            }
        }
    }
}
