namespace Wool.Routines;

/// <summary>An in-process stream that also owns the caller's side of its streamed arguments, released with it.</summary>
internal sealed class LocalRoutineStream(IRoutineStream inner, ArgumentStreamServer arguments) : IRoutineStream
{
    public ValueTask<RoutineReply> NextAsync(CancellationToken cancellationToken) => inner.NextAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await inner.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            await arguments.DisposeAsync().ConfigureAwait(false);
        }
    }
}
