using System.Collections.Concurrent;
using System.Diagnostics;
using Wool.Routines;
using Wool.Telemetry;
using Wool.Workers.Protocol;

namespace Wool.Workers.Host;

/// <summary>
/// A call a worker serves on one connection: its cancellation (the caller's cancel frame, the
/// caller going away, or the end of a stop's grace period) and the routine's pulls of the caller's
/// streamed arguments, each a frame to the caller answered on the same connection. It ends once,
/// with its terminal reply (<see cref="Complete"/>): the worker then counts it out. Thread-safe.
/// </summary>
internal abstract class ServedCall : IArgumentSource, IDisposable
{
    private readonly CancellationTokenSource _cancellation;
    // Made on the first pull of a streamed argument: most calls have none, and a dictionary per call would be garbage.
    private ConcurrentDictionary<uint, TaskCompletionSource<RoutineReply>>? _argumentPulls;

    protected ServedCall(ulong id, WorkerSession session, CancellationToken stopToken)
    {
        Id = id;
        Session = session;
        _cancellation = CancellationTokenSource.CreateLinkedTokenSource(stopToken);
    }

    public ulong Id { get; }

    /// <summary>The routine's cancellation token.</summary>
    public CancellationToken Token => _cancellation.Token;

    protected WorkerSession Session { get; }

    /// <summary>Cancels the routine's token (the caller cancelled, went away, or the worker's stop grace is over).</summary>
    public virtual void Cancel()
    {
        try
        {
            _cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The call ended between the lookup and the cancel: nothing left to cancel.
        }
    }

    /// <summary>The caller's answer to a pull of the streamed argument in <paramref name="slot"/>.</summary>
    public void Answer(uint slot, RoutineReply reply)
    {
        if (_argumentPulls is { } pulls && pulls.TryRemove(slot, out var pending))
        {
            pending.TrySetResult(reply);
        }
    }

    public async ValueTask<RoutineReply> PullAsync(uint slot, CancellationToken cancellationToken)
    {
        var answer = new TaskCompletionSource<RoutineReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        ConcurrentDictionary<uint, TaskCompletionSource<RoutineReply>> pulls = LazyInitializer.EnsureInitialized(ref _argumentPulls);
        if (!pulls.TryAdd(slot, answer))
        {
            throw new InvalidOperationException("A streamed argument is already being read; read it from one place at a time.");
        }

        Session.Send(new ServerFrame { Id = Id, ArgumentPull = slot });
        try
        {
            return await answer.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            pulls.TryRemove(new KeyValuePair<uint, TaskCompletionSource<RoutineReply>>(slot, answer));
        }
    }

    public ValueTask CloseAsync(uint slot)
    {
        Session.Send(new ServerFrame { Id = Id, ArgumentClose = slot });
        return default;
    }

    public void Dispose()
    {
        _cancellation.Dispose();
        Interlocked.Exchange(ref _onEnd, null)?.Invoke();
    }

    /// <summary>Runs <paramref name="release"/> when the call ends (it holds a shipped build in use).</summary>
    public void OnEnd(Action release) => _onEnd = release;

    private Action? _onEnd;

    /// <summary>Ends the call with its terminal reply.</summary>
    protected void Complete(RoutineReply reply) => Session.Complete(this, WireProtocol.ToFrame(Id, reply));

    /// <summary>What spans and metrics call a routine this worker does not have (never the name the caller sent).</summary>
    internal const string UnknownRoutine = "(unknown routine)";

    /// <summary>The call's server span and metrics, for a call that something here observes or whose caller is tracing.</summary>
    /// <param name="request">The call.</param>
    /// <param name="streaming">Whether it is a stream.</param>
    /// <param name="parent">The caller's span; default for none.</param>
    /// <param name="baggage">The caller's W3C baggage, unparsed.</param>
    /// <param name="enter">Leave the span current in this flow (see <see cref="ServerCallTelemetry.Start"/>).</param>
    internal static ServerCallTelemetry? Observe(RoutineRequest request, bool streaming, ActivityContext parent, string? baggage, bool enter)
    {
        // The routine's readable name, for spans and metrics that someone records; a bare activity
        // that only carries the caller's trace is never exported, and spares the lookup.
        string name = UnknownRoutine;
        if (WoolInstruments.Server.Enabled)
        {
            try
            {
                name = RoutineRegistry.Resolve(request.AssemblyName, request.RoutineId, request.ModuleVersionId).Name;
            }
            catch (Exception)
            {
                // The executor reports the unknown routine to the caller. The caller's string names
                // no span and no metric: every distinct name would be a new time series.
            }
        }

        return ServerCallTelemetry.Start(name, streaming, request.Payload.Length, parent, baggage, enter);
    }

    /// <summary>What a terminal reply reports to the call's telemetry: null for a value or the end, the exception otherwise.</summary>
    protected static Exception? ErrorOf(RoutineReply reply)
        => reply.Kind == RoutineReplyKind.Exception ? reply.Error ?? new WoolException("The routine's call ended with an exception.") : null;

    /// <summary>Runs work on the thread pool, off the connection's read loop, in a flow of its own.</summary>
    protected static void RunDetached(Func<Task> work)
        => ThreadPool.UnsafeQueueUserWorkItem(static w => _ = w(), work, preferLocal: false);
}
