using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Wool.Workers.Host;

namespace Wool.Hosting;

/// <summary>
/// A durable worker inside the application's host (<c>AddWoolWorker</c>): started with the host
/// (the start fails, naming the option, when the options are wrong or the worker cannot serve),
/// logging to the application's loggers, offering the application's services to its routines
/// (<see cref="WorkerServices"/>), stopped with the host (calls in flight get the grace period).
/// One per process.
/// </summary>
internal sealed class EmbeddedWorkerService(IOptions<WoolWorkerOptions> options, IServiceProvider services, ILoggerFactory loggers) : IHostedService, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private Task<int>? _running;

    /// <summary>The address the worker serves at, once started.</summary>
    public string? Address { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        WorkerOptions worker;
        try
        {
            worker = WorkerCommandLine.Parse([.. options.Value.ToArguments()], static _ => null);
        }
        catch (ArgumentException e)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(WoolWorkerOptions), [WoolWorkerOptionsValidation.InSettings(e.Message)]);
        }

        var served = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        WorkerServices.Use(services);
        Task<int> running;
        using (ExecutionContext.SuppressFlow())
        {
            running = Task.Run(() => WorkerHost.RunAsync(worker, Stream.Null, address => served.TrySetResult(address), loggers, _stopping.Token), CancellationToken.None);
        }

        _running = running;
        if (await Task.WhenAny(served.Task, running).WaitAsync(cancellationToken).ConfigureAwait(false) == running)
        {
            WorkerServices.Use(null);
            await running.ConfigureAwait(false);
            throw new InvalidOperationException("The application's worker stopped as it started.");
        }

        Address = await served.Task.ConfigureAwait(false);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_running is { } running)
        {
            await ((Task)running).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        WorkerServices.Use(null);
    }

    public void Dispose() => _stopping.Dispose();
}
