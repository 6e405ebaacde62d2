namespace Wool.Routines;

/// <summary>
/// Where routine calls run: a pool of workers, a worker's peers, or this process (every
/// <see cref="RoutinePool"/>). <see cref="RoutineDispatch"/> sends each call to the one that is
/// ambient in the caller's flow (<see cref="AmbientRunner"/>). Implementations are thread-safe.
/// </summary>
internal interface IRoutineRunner
{
    /// <summary>Whether the runner was disposed: a call that still reaches it fails, saying so.</summary>
    bool IsDisposed { get; }

    /// <summary>Runs one call and returns its serialized outcome.</summary>
    ValueTask<RoutineReply> InvokeAsync(RoutineRequest request, CancellationToken cancellationToken);

    /// <summary>Opens one streaming call; nothing is sent before its first pull.</summary>
    IRoutineStream OpenStream(RoutineRequest request, CancellationToken cancellationToken);
}
