using Wool.Routines;
using Wool.Workers.Protocol;

namespace Wool.Workers;

/// <summary>Streamed arguments of a call served by a worker: each pull is a frame to the caller, answered on the same connection.</summary>
internal sealed class SessionArgumentSource(ulong id, ServerCall call, Action<ServerFrame> send) : IArgumentSource
{
    public async ValueTask<RoutineReply> PullAsync(uint slot, CancellationToken cancellationToken)
    {
        var answer = new TaskCompletionSource<RoutineReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!call.ArgumentPulls.TryAdd(slot, answer))
        {
            throw new InvalidOperationException("A streamed argument is already being read; read it from one place at a time.");
        }

        send(new ServerFrame { Id = id, ArgumentPull = slot });
        try
        {
            return await answer.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            call.ArgumentPulls.TryRemove(new KeyValuePair<uint, TaskCompletionSource<RoutineReply>>(slot, answer));
        }
    }

    public ValueTask CloseAsync(uint slot)
    {
        send(new ServerFrame { Id = id, ArgumentClose = slot });
        return default;
    }
}
