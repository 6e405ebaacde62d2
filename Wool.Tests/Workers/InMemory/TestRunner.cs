using Wool.Routines;

namespace Wool.Tests.Workers.InMemory;

/// <summary>
/// Makes a test's routine calls go where the test says: a link, a set of workers, or nowhere (to
/// capture the request a woven stub builds). Woven code, serialization and dispatch are the real ones.
/// </summary>
internal sealed class TestRunner(Func<RoutineRequest, CancellationToken, ValueTask<RoutineReply>> invoke, Func<RoutineRequest, CancellationToken, IRoutineStream> open) : IRoutineRunner
{
    public bool IsDisposed => false;

    public ValueTask<RoutineReply> InvokeAsync(RoutineRequest request, CancellationToken cancellationToken) => invoke(request, cancellationToken);

    public IRoutineStream OpenStream(RoutineRequest request, CancellationToken cancellationToken) => open(request, cancellationToken);

    /// <summary>Routine calls made later in the calling flow go to <paramref name="runner"/>.</summary>
    public static void Use(IRoutineRunner runner) => AmbientRunner.Current = runner;

    /// <summary>Routine calls made later in the calling flow go over <paramref name="link"/>.</summary>
    public static void Use(Wool.Workers.Client.WorkerLink link)
        => Use(new TestRunner((request, token) => new(link.InvokeAsync(request, token)), link.OpenStream));

    /// <summary>The request a routine call builds, without sending it anywhere.</summary>
    public static RoutineRequest Capture(Func<Task> call)
    {
        RoutineRequest? captured = null;
        IRoutineRunner? previous = AmbientRunner.Current;
        AmbientRunner.Current = new TestRunner(
            (request, _) => { captured = request; return new(new TaskCompletionSource<RoutineReply>().Task); },
            (request, _) => throw new NotSupportedException());
        try
        {
            _ = call();
        }
        finally
        {
            AmbientRunner.Current = previous;
        }

        return captured ?? throw new InvalidOperationException("The call built no request.");
    }

    /// <summary>The request a streaming routine call builds when it is first pulled, without sending it anywhere.</summary>
    public static RoutineRequest CaptureStream<T>(Func<IAsyncEnumerable<T>> call)
    {
        RoutineRequest? captured = null;
        IRoutineRunner? previous = AmbientRunner.Current;
        AmbientRunner.Current = new TestRunner(
            (_, _) => throw new NotSupportedException(),
            (request, _) => { captured = request; return new NeverStream(); });
        try
        {
            _ = call().GetAsyncEnumerator().MoveNextAsync();
        }
        finally
        {
            AmbientRunner.Current = previous;
        }

        return captured ?? throw new InvalidOperationException("The call built no request.");
    }

    private sealed class NeverStream : IRoutineStream
    {
        public ValueTask<RoutineReply> NextAsync(CancellationToken cancellationToken) => new(new TaskCompletionSource<RoutineReply>().Task);

        public ValueTask DisposeAsync() => default;
    }
}
