namespace Wool.Routines;

/// <summary>
/// The <see cref="IRoutineRunner"/> of the current async flow: an <see cref="AsyncLocal{T}"/>, so a
/// runner made ambient in a flow serves everything that flow awaits and starts, and nothing else.
/// </summary>
internal static class AmbientRunner
{
    private static readonly AsyncLocal<IRoutineRunner?> s_current = new();

    public static IRoutineRunner? Current
    {
        get => s_current.Value;
        set => s_current.Value = value;
    }

    /// <summary>The runner for a call of <paramref name="routine"/>; throws, saying what to do, if there is none usable.</summary>
    /// <exception cref="RoutineInvocationException">No pool is in scope, or it was disposed.</exception>
    public static IRoutineRunner For(Routine routine)
    {
        IRoutineRunner? runner = s_current.Value;
        if (runner is null)
        {
            throw new RoutineInvocationException(
                $"Routine '{routine.Name}' was called with no worker pool in scope. " +
                "Create one around the call with 'await using var pool = new WorkerPool();' " +
                "(or 'new InProcessPool()' in unit tests).");
        }

        if (runner.IsDisposed)
        {
            throw new RoutineInvocationException(
                $"Routine '{routine.Name}' was called through a worker pool that has been disposed. " +
                "Keep the pool alive (await using) until every routine call in its scope has completed.");
        }

        return runner;
    }
}
