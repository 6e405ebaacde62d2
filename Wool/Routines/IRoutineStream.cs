namespace Wool.Routines;

/// <summary>
/// A routine's stream as the caller's side pulls it: each <see cref="NextAsync"/> advances the
/// remote iterator by one step. Disposing it stops the remote iterator (its <c>finally</c>
/// blocks run). Not thread-safe: one pull at a time, like an enumerator.
/// </summary>
internal interface IRoutineStream : IAsyncDisposable
{
    ValueTask<RoutineReply> NextAsync(CancellationToken cancellationToken);
}
