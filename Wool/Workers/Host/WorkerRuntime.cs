using Microsoft.Extensions.Logging;
using Wool.Admission;
using Wool.Workers.Client;
using Wool.Workers.Code;
using Wool.Workers.Pool;

namespace Wool.Workers.Host;

/// <summary>
/// The state of one worker process: calls in flight, the peers its routines dispatch nested
/// calls to, and the stop sequence (refuse new calls at once, let in-flight calls finish for the
/// grace period, cancel the rest, end every connection). Thread-safe.
/// </summary>
internal sealed class WorkerRuntime
{
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _cancelCalls = new();
    private readonly CancellationTokenSource _shutdown = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopStarted = new();
    private readonly Lock _stopLock = new();
    private Task? _stopping;
    private int _inFlight;
    private long _idleSince = Environment.TickCount64;
    private volatile bool _refusing;
    private readonly Lock _sessionsLock = new();
    private int _sessions;
    private TaskCompletionSource? _sessionsEnded;

    /// <param name="loggerFactory">The worker's logging.</param>
    /// <param name="options">The worker's command line.</param>
    /// <param name="dialer">How the worker reaches its peers; gRPC when null (tests pass an in-process one).</param>
    public WorkerRuntime(ILoggerFactory loggerFactory, WorkerOptions options, IWorkerDialer? dialer = null)
    {
        _logger = loggerFactory.CreateLogger("Wool.Workers.Worker");
        ILogger peersLogger = loggerFactory.CreateLogger("Wool.Workers.Peers");
        // Peers share this worker's access token (a pool's workers, or a discovery namespace's).
        Peers = new PeerPool(dialer ?? new GrpcDialer(peersLogger, WorkerChannels.DefaultKeepAlive, options.AccessToken, maxValueSize: options.Limits.MaxMessageSize), options.Credentials, peersLogger);
        Admission = options.Admission;
        OwnerToken = options.OwnerToken;
        Limits = options.Limits;
        Code = options.AcceptCode ? new CodeStore(options.CodeCache ?? CodeStore.DefaultFolder, loggerFactory.CreateLogger("Wool.Workers.Code"), options.CodeIdleUnload) : null;
        AcceptCodeFrom = options.AcceptCodeFrom;
        if (Code is not null)
        {
            if (OwnerToken is null && AcceptCodeFrom.Count == 0)
            {
                CodeLog.AcceptingFromNobody(_logger);
            }

            string from = string.Join(" and ", (OwnerToken is null ? [] : (string[])["the pool that spawned it"]).Concat(AcceptCodeFrom.Select(i => $"callers named '{i}'")));
            CodeLog.Accepting(_logger, from.Length == 0 ? "nobody" : from, options.CodeCache ?? CodeStore.DefaultFolder, options.CodeIdleUnload is { } idle ? $"after {idle.TotalSeconds} s without calls" : "never");
        }
    }

    /// <summary>The builds callers shipped to this worker; null when it takes no shipped code.</summary>
    public CodeStore? Code { get; }

    /// <summary>The mutual-TLS caller identities whose shipped code this worker runs.</summary>
    public IReadOnlyList<string> AcceptCodeFrom { get; }

    /// <summary>What one caller may take of this worker.</summary>
    public WorkerLimits Limits { get; }

    /// <summary>The token of the pool that spawned this worker, if one did: only that pool may set its peers or stop it.</summary>
    public Security.AccessToken? OwnerToken { get; }

    /// <summary>Whether a caller that presented <paramref name="ownerToken"/> owns this worker (a durable worker has no owner).</summary>
    public bool IsOwner(string? ownerToken) => OwnerToken?.Matches(ownerToken) == true;

    /// <summary>The worker's admission policy, if it has one.</summary>
    public IAdmissionPolicy? Admission { get; }

    public ILogger Logger => _logger;

    public WorkerStatus Status
    {
        get
        {
            int inFlight = InFlight;
            TimeSpan idle = inFlight > 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Environment.TickCount64 - Volatile.Read(ref _idleSince));
            return new WorkerStatus(inFlight, idle, _refusing);
        }
    }

    /// <summary>The pool nested routine calls made on this worker go to.</summary>
    public PeerPool Peers { get; }

    /// <summary>Cancelled when the grace period of a stop is over: in-flight calls see their token cancelled.</summary>
    public CancellationToken CallsCancelled => _cancelCalls.Token;

    /// <summary>Cancelled when the worker ends its connections.</summary>
    public CancellationToken Shutdown => _shutdown.Token;

    public Task Stopped => _stopped.Task;

    public int InFlight => Volatile.Read(ref _inFlight);

    public void Started(string address)
    {
        WorkerLog.Started(_logger, address, Environment.ProcessId);
    }

    /// <summary>Counts a caller's connection in, until the returned scope is disposed.</summary>
    public IDisposable EnterSession()
    {
        lock (_sessionsLock)
        {
            _sessions++;
        }

        return new SessionScope(this);
    }

    /// <summary>Cancelled when the stop sequence begins (before calls in flight finish): the moment to leave discovery.</summary>
    public CancellationToken StopStarted => _stopStarted.Token;

    /// <summary>Whether the worker has begun to stop (it refuses new calls).</summary>
    public bool IsStopping => _refusing;

    /// <summary>Counts a call in; false when the worker is stopping and the call must be refused.</summary>
    public bool TryEnter()
    {
        Interlocked.Increment(ref _inFlight);
        if (_refusing)
        {
            Exit();
            return false;
        }

        return true;
    }

    public void Exit()
    {
        if (Interlocked.Decrement(ref _inFlight) == 0)
        {
            Volatile.Write(ref _idleSince, Environment.TickCount64);
            if (_refusing)
            {
                _drained.TrySetResult();
            }
        }
    }

    /// <summary>Starts the stop sequence once; later calls return the same task.</summary>
    public Task StopAsync(TimeSpan grace)
    {
        lock (_stopLock)
        {
            return _stopping ??= StopCoreAsync(grace);
        }
    }

    /// <summary>The process that spawned this worker is gone: nobody waits for results any more.</summary>
    public void ParentGone()
    {
        WorkerLog.ParentGone(_logger);
        _ = StopAsync(TimeSpan.Zero);
        // The stop sequence is quick; this is the backstop that keeps the promise to exit.
        _ = Task.Delay(TimeSpan.FromSeconds(3)).ContinueWith(_ => Environment.Exit(0), TaskScheduler.Default);
    }

    private async Task StopCoreAsync(TimeSpan grace)
    {
        _refusing = true;
        await _stopStarted.CancelAsync().ConfigureAwait(false);
        if (InFlight == 0)
        {
            _drained.TrySetResult();
        }

        WorkerLog.Stopping(_logger, InFlight, grace.TotalMilliseconds);
        try
        {
            await _drained.Task.WaitAsync(grace).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            WorkerLog.CancellingCalls(_logger, InFlight);
            _cancelCalls.Cancel();
            try
            {
                await _drained.Task.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                WorkerLog.CallsIgnoredCancellation(_logger, InFlight);
            }
        }

        _shutdown.Cancel();
        // Each connection flushes its last replies (the cancelled calls' outcomes) before the
        // server closes the connections: a caller must hear how its call ended, not a reset.
        await WhenSessionsEndedAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        await Peers.DisposeAsync().ConfigureAwait(false);
        _stopped.TrySetResult();
    }

    private async Task WhenSessionsEndedAsync(TimeSpan timeout)
    {
        Task ended;
        lock (_sessionsLock)
        {
            if (_sessions == 0)
            {
                return;
            }

            _sessionsEnded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            ended = _sessionsEnded.Task;
        }

        try
        {
            await ended.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A connection that cannot flush (its caller stopped reading) is closed with the server.
        }
    }

    private sealed class SessionScope(WorkerRuntime runtime) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            lock (runtime._sessionsLock)
            {
                if (--runtime._sessions == 0)
                {
                    runtime._sessionsEnded?.TrySetResult();
                }
            }
        }
    }
}
