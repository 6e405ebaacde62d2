using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Wool.Hosting;

/// <summary>
/// The application's worker pool, started and stopped with the host: created at start from
/// <see cref="WoolOptions"/>, made the application's pool (<see cref="RoutinePool.Application"/>,
/// so request handlers, hosted services and thread-pool callbacks call routines on it), and
/// disposed at stop, which lets calls in flight finish for the grace period and ends the workers.
/// </summary>
internal sealed class ApplicationPoolService(IOptions<WoolOptions> options, ILoggerFactory loggerFactory) : IHostedService, IAsyncDisposable
{
    private WorkerPool? _pool;

    /// <summary>The pool, once the host has started.</summary>
    /// <exception cref="InvalidOperationException">The host has not started (or has stopped).</exception>
    public WorkerPool Pool => _pool ?? throw new InvalidOperationException(
        "The application's worker pool starts with the host: resolve WorkerPool (or call routines) once the host has started, e.g. in request handlers or a hosted service's ExecuteAsync.");

    /// <summary>The pool if the host has started it, else null.</summary>
    public WorkerPool? Started => _pool;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var (plan, errors) = ApplicationPoolPlan.From(options.Value, loggerFactory);
        if (plan is null)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(WoolOptions), errors);
        }

        // Created off the host's flow: the pool must not become ambient in whatever flow starts the host.
        Task<WorkerPool> creating;
        using (ExecutionContext.SuppressFlow())
        {
            creating = Task.Run(plan.Create, CancellationToken.None);
        }

        WorkerPool pool = await creating.ConfigureAwait(false);

        _pool = pool;
        pool.UseForApplication();
        if (options.Value.WaitForWorkers)
        {
            await pool.WaitForWorkersAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _pool, null) is { } pool)
        {
            await pool.DisposeAsync().ConfigureAwait(false);
        }
    }

    public ValueTask DisposeAsync() => Interlocked.Exchange(ref _pool, null)?.DisposeAsync() ?? default;
}
