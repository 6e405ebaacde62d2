using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace Wool.Routines;

/// <summary>
/// Adapts a routine's own return value to the invoker shape, without reflection: the weaver
/// emits a call to the overload that matches the routine's return type. Not meant to be called
/// by user code.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class RoutineResults
{
    /// <summary>Adapts a <see cref="Task"/>.</summary>
    public static async ValueTask<object?> FromTask(Task task)
    {
        await task.ConfigureAwait(false);
        return null;
    }

    /// <summary>Adapts a <see cref="Task{TResult}"/>.</summary>
    public static async ValueTask<object?> FromTask<T>(Task<T> task) => await task.ConfigureAwait(false);

    /// <summary>Adapts a <see cref="ValueTask"/>.</summary>
    public static async ValueTask<object?> FromValueTask(ValueTask task)
    {
        await task.ConfigureAwait(false);
        return null;
    }

    /// <summary>Adapts a <see cref="ValueTask{TResult}"/>.</summary>
    public static async ValueTask<object?> FromValueTask<T>(ValueTask<T> task) => await task.ConfigureAwait(false);

    /// <summary>Adapts an <see cref="IAsyncEnumerable{T}"/>.</summary>
    public static async IAsyncEnumerable<object?> FromStream<T>(IAsyncEnumerable<T> items, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (T item in items.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return item;
        }
    }
}
