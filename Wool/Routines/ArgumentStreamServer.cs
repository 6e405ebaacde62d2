using Wool.Serialization;

namespace Wool.Routines;

/// <summary>
/// The caller's side of a call's streamed arguments: advances the caller's own streams as the
/// routine pulls, serializing each item (the routine works on copies, as with any argument).
/// Pulls of one argument are sequential; different arguments may be pulled concurrently.
/// </summary>
internal sealed class ArgumentStreamServer : IAsyncDisposable
{
    private readonly Routine _routine;
    private readonly IReadOnlyList<StreamArgument> _arguments;
    private readonly CancellationToken _cancellationToken;
    private readonly IAsyncEnumerator<object?>?[] _enumerators;
    private int _disposed;

    private ArgumentStreamServer(Routine routine, IReadOnlyList<StreamArgument> arguments, CancellationToken cancellationToken)
    {
        _routine = routine;
        _arguments = arguments;
        _cancellationToken = cancellationToken;
        _enumerators = new IAsyncEnumerator<object?>?[arguments.Count];
    }

    /// <summary>A server for the request's streamed arguments, or null when it has none.</summary>
    public static ArgumentStreamServer? For(RoutineRequest request, CancellationToken cancellationToken)
        => request.StreamArguments is { Count: > 0 } arguments ? new ArgumentStreamServer(request.Routine!, arguments, cancellationToken) : null;

    public async ValueTask<RoutineReply> NextAsync(uint slot)
    {
        if (slot >= _enumerators.Length || Volatile.Read(ref _disposed) != 0)
        {
            return RoutineReply.Completed;
        }

        StreamArgument argument = _arguments[(int)slot];
        try
        {
            var enumerator = _enumerators[slot] ??= argument.Items.GetAsyncEnumerator(_cancellationToken);
            if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
            {
                return RoutineReply.Completed;
            }

            return RoutineReply.Value(RoutinePayload.SerializeValue(_routine, enumerator.Current, $"item of argument '{argument.ParameterName}'"));
        }
        catch (Exception e)
        {
            return RoutineReply.Failure(e);
        }
    }

    public async ValueTask CloseAsync(uint slot)
    {
        if (slot < _enumerators.Length && Interlocked.Exchange(ref _enumerators[slot], null) is { } enumerator)
        {
            await DisposeQuietlyAsync(enumerator).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        for (uint slot = 0; slot < _enumerators.Length; slot++)
        {
            await CloseAsync(slot).ConfigureAwait(false);
        }
    }

    private static async ValueTask DisposeQuietlyAsync(IAsyncEnumerator<object?> enumerator)
    {
        try
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The call is over; a caller stream that fails while being disposed has no one to tell.
        }
    }
}
