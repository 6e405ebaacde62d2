using Wool.Routines;

namespace Wool;

/// <summary>
/// A pool whose only worker is the calling process. Every call still goes the whole way, as it
/// would to a remote worker: arguments, <c>this</c> and closures are serialized, the routine is
/// found by id and run through its woven invoker on the deserialized copies, and the result or
/// exception is serialized back. Use it to unit-test that routines are distributable without
/// starting processes.
/// </summary>
/// <remarks>
/// Unlike a remote worker, the routine shares this process's static state and sees the
/// caller's <see cref="AsyncLocal{T}"/> values. Thread-safe.
/// </remarks>
public sealed class InProcessPool : RoutinePool
{
    private long _calls;

    /// <summary>Creates the pool and makes it ambient for the calling async flow.</summary>
    public InProcessPool()
    {
        EnterScope();
    }

    /// <summary>How many calls (single-result and streaming) this pool has executed.</summary>
    public long CallCount => Interlocked.Read(ref _calls);

    private protected override async ValueTask<RoutineReply> InvokeCoreAsync(RoutineRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        await using ArgumentStreamServer? arguments = ArgumentStreamServer.For(request, cancellationToken);
        return await RoutineExecutor.InvokeAsync(request, cancellationToken, arguments is null ? null : new LocalArgumentSource(arguments)).ConfigureAwait(false);
    }

    private protected override IRoutineStream OpenStreamCore(RoutineRequest request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        ArgumentStreamServer? arguments = ArgumentStreamServer.For(request, cancellationToken);
        IRoutineStream stream = RoutineExecutor.OpenStream(request, cancellationToken, arguments is null ? null : new LocalArgumentSource(arguments));
        return arguments is null ? stream : new LocalRoutineStream(stream, arguments);
    }

    private protected override ValueTask DisposeCoreAsync() => default;
}
