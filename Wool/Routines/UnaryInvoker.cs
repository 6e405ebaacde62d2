using System.ComponentModel;

namespace Wool.Routines;

/// <summary>
/// Runs the original body of a routine that returns a task, on the worker. Emitted by the weaver
/// for each routine; not meant to be called by user code.
/// </summary>
/// <param name="target">The deserialized <c>this</c> or closure, or <see langword="null"/> for a static routine.</param>
/// <param name="arguments">The deserialized arguments, without the cancellation token.</param>
/// <param name="cancellationToken">The call's cancellation, passed to the routine's token parameter.</param>
/// <returns>The routine's result, boxed; <see langword="null"/> for <see cref="Task"/> and <see cref="ValueTask"/>.</returns>
[EditorBrowsable(EditorBrowsableState.Never)]
public delegate ValueTask<object?> UnaryInvoker(object? target, object?[] arguments, CancellationToken cancellationToken);
