using Wool.Serialization;

namespace Wool.Routines;

/// <summary>
/// A routine's view of a streamed argument: each <c>MoveNextAsync</c> pulls one item from the
/// caller's stream; the caller's exceptions arrive with their own type; disposing early tells the
/// caller to dispose its stream. It can be enumerated once, like the caller's stream it stands for.
/// </summary>
internal sealed class RemoteArgumentStream<T>(Routine routine, string parameter, uint slot, IArgumentSource source) : IAsyncEnumerable<T>
{
    private int _enumerated;

    public IAsyncEnumerator<T> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _enumerated, 1) != 0)
        {
            throw new InvalidOperationException($"Argument '{parameter}' of routine '{routine.Name}' streams from the caller and can be enumerated once.");
        }

        return new Enumerator(this, cancellationToken);
    }

    private sealed class Enumerator(RemoteArgumentStream<T> stream, CancellationToken cancellationToken) : IAsyncEnumerator<T>
    {
        private bool _ended;

        public T Current { get; private set; } = default!;

        public async ValueTask<bool> MoveNextAsync()
        {
            if (_ended)
            {
                return false;
            }

            RoutineReply reply = await stream.PullAsync(cancellationToken).ConfigureAwait(false);
            switch (reply.Kind)
            {
                case RoutineReplyKind.Value:
                    Current = RoutinePayload.DeserializeValue<T>(stream.Routine, reply.Payload, $"item of argument '{stream.Parameter}'");
                    return true;
                case RoutineReplyKind.Exception:
                    _ended = true;
                    throw RoutinePayload.DeserializeException(stream.Routine, reply.Payload);
                default:
                    _ended = true;
                    return false;
            }
        }

        public ValueTask DisposeAsync()
        {
            if (_ended)
            {
                return default;
            }

            _ended = true;
            return stream.CloseAsync();
        }
    }

    private Routine Routine => routine;

    private string Parameter => parameter;

    private ValueTask<RoutineReply> PullAsync(CancellationToken cancellationToken) => source.PullAsync(slot, cancellationToken);

    private ValueTask CloseAsync() => source.CloseAsync(slot);
}
