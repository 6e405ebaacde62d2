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
internal sealed class ApplicationPoolService(IOptions<WoolOptions> options, ILoggerFactory loggerFactory, IHostApplicationLifetime lifetime) : IHostedService, IAsyncDisposable
{
    private WorkerPool? _pool;
    private IAsyncDisposable? _discovery;
    private Task? _stopped;
    private CancellationTokenRegistration _stopping;
    private readonly Lock _stopLock = new();

    /// <summary>The pool, once the host has started.</summary>
    /// <exception cref="InvalidOperationException">The host has not started (or has stopped).</exception>
    public WorkerPool Pool => _pool ?? throw new InvalidOperationException(
        "The application's worker pool starts with the host: resolve WorkerPool (or call routines) once the host has started, e.g. in request handlers or a hosted service's ExecuteAsync.");

    /// <summary>The pool if the host has started it and it is not stopping, else null.</summary>
    public WorkerPool? Started => _pool is { IsDisposed: false } pool ? pool : null;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var (plan, errors) = ApplicationPoolPlan.From(options.Value, loggerFactory);
        if (plan is null)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(WoolOptions), errors);
        }

        // Created off the host's flow: the pool must not become ambient in whatever flow starts the host.
        Task<(WorkerPool Pool, IAsyncDisposable? Discovery)> creating;
        using (ExecutionContext.SuppressFlow())
        {
            creating = Task.Run(plan.Create, CancellationToken.None);
        }

        (WorkerPool pool, _discovery) = await creating.ConfigureAwait(false);

        _pool = pool;
        pool.UseForApplication();
        // The host stops its servers (draining requests) before its hosted services: calls in
        // flight get the grace period from the moment the application starts stopping, not after.
        _stopping = lifetime.ApplicationStopping.Register(() => _ = StopPoolAsync());
        if (options.Value.WaitForWorkers)
        {
            await pool.WaitForWorkersAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.DisposeAsync().ConfigureAwait(false);
        await StopPoolAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await StopPoolAsync().ConfigureAwait(false);

    /// <summary>Disposes the pool once, whoever asks first; every caller awaits the same disposal.</summary>
    private Task StopPoolAsync()
    {
        lock (_stopLock)
        {
            return _stopped ??= _pool is { } pool ? StopAsync(pool, _discovery) : Task.CompletedTask;
        }

        static async Task StopAsync(WorkerPool pool, IAsyncDisposable? discovery)
        {
            await pool.DisposeAsync().ConfigureAwait(false);
            if (discovery is not null)
            {
                // The discovery the plan made (etcd's channel) goes with its pool.
                await discovery.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
