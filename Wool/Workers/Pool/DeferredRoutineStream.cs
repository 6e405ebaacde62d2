using Wool.Routines;


namespace Wool.Workers.Pool;

/// <summary>A stream whose pool was not ready when it was opened: it opens on the first pull, once the pool is ready.</summary>
internal sealed class DeferredRoutineStream(Func<CancellationToken, Task> ready, Func<IRoutineStream> open) : IRoutineStream
{
    private IRoutineStream? _inner;

    public async ValueTask<RoutineReply> NextAsync(CancellationToken cancellationToken)
    {
        if (_inner is null)
        {
            await ready(cancellationToken).ConfigureAwait(false);
            _inner = open();
        }

        return await _inner.NextAsync(cancellationToken).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => _inner?.DisposeAsync() ?? default;
}
