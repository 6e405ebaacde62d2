using Wool.Context;

namespace Wool;

/// <summary>
/// Scopes for context variables: <c>using (WoolContext.Set(Tenant, "acme")) { … }</c> sets a value
/// for the block and everything called in it — locally and in routines on workers — and restores
/// the previous value when disposed.
/// </summary>
/// <remarks>
/// The semantics are those of <see cref="AsyncLocal{T}"/> extended across processes: values flow
/// down into routines and what they call further; a change a routine makes is visible to what it
/// calls next and never flows back to its caller after the <c>await</c>; sibling tasks inherit the
/// values of their parent and do not see each other's changes. Each step of a streaming routine
/// sees the caller's values at the <c>MoveNextAsync</c> that asked for it (with a prefetch window,
/// items produced ahead see the values of the step that granted them).
/// </remarks>
public static class WoolContext
{
    internal static readonly WoolContextVar<bool> StrictVar = new("wool.strict", false);
    internal static readonly WoolContextVar<TimeSpan?> DispatchTimeoutVar = new("wool.dispatch-timeout", null);

    /// <summary>Sets <paramref name="variable"/> to <paramref name="value"/> until the returned scope is disposed.</summary>
    public static IDisposable Set<T>(WoolContextVar<T> variable, T value)
    {
        ArgumentNullException.ThrowIfNull(variable);
        ContextEntry? previous = AmbientContext.Find(variable.Name);
        variable.Value = value;
        return new Scope(variable.Name, previous);
    }

    /// <summary>
    /// Bounds how long each routine call in the scope may wait for a worker to accept it; a worker
    /// that does not accept in time is skipped for the next one (the call did not run there: the
    /// worker refuses calls that reach it after their deadline). The bound travels with the calls,
    /// so nested dispatch inherits it. When no worker accepts in time, the call fails with
    /// <see cref="NoWorkersAvailableException"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is not positive.</exception>
    public static IDisposable DispatchTimeout(TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        return Set(DispatchTimeoutVar, timeout);
    }

    /// <summary>The dispatch timeout in force in this flow, if any.</summary>
    public static TimeSpan? CurrentDispatchTimeout => DispatchTimeoutVar.Value;

    /// <summary>
    /// Makes a context value that arrives but cannot be read (its type is not available on the
    /// worker, or it is not of the variable's type) an error (<see cref="WoolContextException"/>)
    /// instead of a logged warning, in the scope and in every routine it calls.
    /// </summary>
    public static IDisposable Strict() => Set(StrictVar, true);

    /// <summary>Whether <see cref="Strict"/> is in force in this flow.</summary>
    public static bool IsStrict => StrictVar.Value;

    private sealed class Scope(string name, ContextEntry? previous) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                AmbientContext.Set(name, previous);
            }
        }
    }
}
