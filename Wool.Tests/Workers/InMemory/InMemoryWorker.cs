using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Wool.Admission;
using Wool.Routines;
using Wool.Workers.Client;
using Wool.Workers.Host;

namespace Wool.Tests.Workers.InMemory;

/// <summary>
/// A worker inside the test process: the worker's own runtime and gRPC service, reached through
/// <see cref="InProcessCallInvoker"/> instead of a socket. Its routines are the test assembly's,
/// run in this process, so a test can watch their side effects directly.
/// </summary>
internal sealed class InMemoryWorker : IAsyncDisposable
{
    public InMemoryWorker(IAdmissionPolicy? admission = null, IWorkerDialer? peers = null, ILoggerFactory? loggerFactory = null, WorkerLimits? limits = null)
    {
        loggerFactory ??= NullLoggerFactory.Instance;
        var options = new WorkerOptions(new IPEndPoint(IPAddress.Loopback, 0), ExitWithParent: false, DefaultGracePeriod: TimeSpan.FromSeconds(1)) { Admission = admission, Limits = limits ?? WorkerLimits.Default };
        Runtime = new WorkerRuntime(loggerFactory, options, peers);
        Service = new WorkerService(Runtime, loggerFactory);
        string id = Guid.NewGuid().ToString("N");
        Info = new WorkerInfo(id, new Uri($"http://in-process/{id}"), Environment.ProcessId);
    }

    public WorkerInfo Info { get; }

    public WorkerRuntime Runtime { get; }

    public WorkerService Service { get; }

    /// <summary>A caller's link to this worker; <paramref name="invoker"/> receives the transport, to inspect what was sent.</summary>
    public WorkerLink Connect(out InProcessCallInvoker invoker, ILogger? logger = null)
    {
        invoker = new InProcessCallInvoker(Service);
        return new WorkerLink(Info, logger ?? NullLogger.Instance, invoker);
    }

    public WorkerLink Connect() => Connect(out _);

    /// <summary>
    /// Starts the worker's stop sequence with a long grace, holding one call in flight so that it
    /// drains (and refuses new calls, transiently) instead of ending at once. Dispose the result to
    /// let the held call end.
    /// </summary>
    public async Task<IAsyncDisposable> StopWhileBusyAsync()
    {
        WorkerLink link = Connect();
        string key = Guid.NewGuid().ToString("N");
        var held = new CancellationTokenSource();
        RoutineRequest request = TestRunner.Capture(() => InMemoryRoutines.WaitForCancellation(key, CancellationToken.None));
        Task<RoutineReply> call = link.InvokeAsync(request, held.Token);
        await Eventually.WaitUntilAsync(() => Runtime.InFlight > 0);

        _ = Runtime.StopAsync(TimeSpan.FromMinutes(1));
        return new Held(link, held, call);
    }

    public async ValueTask DisposeAsync()
    {
        await Runtime.StopAsync(TimeSpan.Zero).WaitAsync(Timeouts.Default);
    }

    private sealed class Held(WorkerLink link, CancellationTokenSource cancel, Task<RoutineReply> call) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await cancel.CancelAsync();
            await call.ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(Timeouts.Default);
            await link.DisposeAsync();
            cancel.Dispose();
        }
    }
}
