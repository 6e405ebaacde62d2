using System.ComponentModel;

namespace Wool.Routines;

/// <summary>
/// Runs the original body of a routine that returns <see cref="IAsyncEnumerable{T}"/>, on the
/// worker. Emitted by the weaver for each streaming routine; not meant to be called by user code.
/// </summary>
/// <param name="target">The deserialized <c>this</c> or closure, or <see langword="null"/> for a static routine.</param>
/// <param name="arguments">The deserialized arguments, without the cancellation token.</param>
/// <param name="cancellationToken">The call's cancellation, passed to the routine's token parameter.</param>
/// <returns>The routine's items, boxed.</returns>
[EditorBrowsable(EditorBrowsableState.Never)]
public delegate IAsyncEnumerable<object?> StreamInvoker(object? target, object?[] arguments, CancellationToken cancellationToken);
