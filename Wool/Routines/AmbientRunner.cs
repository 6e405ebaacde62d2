namespace Wool.Routines;

/// <summary>
/// Which <see cref="IRoutineRunner"/> a call uses: the one ambient in its async flow (an
/// <see cref="AsyncLocal{T}"/>: a runner made ambient in a flow serves everything that flow awaits
/// and starts, and nothing else), else the application's (one per process, for code that runs
/// outside any pool's flow: request handlers, hosted services, thread-pool callbacks).
/// </summary>
internal static class AmbientRunner
{
    private static readonly AsyncLocal<IRoutineRunner?> s_current = new();
    private static IRoutineRunner? s_application;

    public static IRoutineRunner? Current
    {
        get => s_current.Value;
        set => s_current.Value = value;
    }

    /// <summary>The application's runner, used where no runner is ambient.</summary>
    public static IRoutineRunner? Application => Volatile.Read(ref s_application);

    /// <summary>Makes <paramref name="runner"/> the application's; returns the one it replaces.</summary>
    public static IRoutineRunner? SetApplication(IRoutineRunner? runner) => Interlocked.Exchange(ref s_application, runner);

    /// <summary>Clears the application's runner if it is still <paramref name="runner"/>.</summary>
    public static void ClearApplication(IRoutineRunner runner) => Interlocked.CompareExchange(ref s_application, null, runner);

    /// <summary>The runner for a call of <paramref name="routine"/>; throws, saying what to do, if there is none usable.</summary>
    /// <exception cref="RoutineInvocationException">No pool is in scope, or it was disposed.</exception>
    public static IRoutineRunner For(Routine routine)
    {
        // A disposed ambient pool is an error, not a reason to run elsewhere: the call was written inside its scope.
        IRoutineRunner? runner = s_current.Value ?? Volatile.Read(ref s_application);
        if (runner is null)
        {
            throw new RoutineInvocationException(
                $"Routine '{routine.Name}' was called with no worker pool: none is in scope in this async flow, and the application has none. " +
                "In a console app, create one around the calls ('await using var pool = new WorkerPool();'); in a unit test, 'await using var pool = new InProcessPool();'; " +
                "in a hosted app (ASP.NET Core, a worker service), register the application's pool with 'builder.Services.AddWool()'.");
        }

        if (runner.IsDisposed)
        {
            throw new RoutineInvocationException(ReferenceEquals(runner, s_current.Value)
                ? $"Routine '{routine.Name}' was called through a worker pool that has been disposed. Keep the pool alive (await using) until every routine call in its scope has completed."
                : $"Routine '{routine.Name}' was called through the application's worker pool after it was disposed (the host is stopping).");
        }

        return runner;
    }
}
