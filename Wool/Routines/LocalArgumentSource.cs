namespace Wool.Routines;

/// <summary>Streamed arguments for a routine running in the caller's process: pulled straight from the caller's side, still serialized.</summary>
internal sealed class LocalArgumentSource(ArgumentStreamServer server) : IArgumentSource
{
    public ValueTask<RoutineReply> PullAsync(uint slot, CancellationToken cancellationToken) => server.NextAsync(slot);

    public ValueTask CloseAsync(uint slot) => server.CloseAsync(slot);
}
