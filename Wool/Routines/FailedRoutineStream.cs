namespace Wool.Routines;

/// <summary>A stream that could not start: its first step is the exception that prevented it.</summary>
internal sealed class FailedRoutineStream(Exception error) : IRoutineStream
{
    private bool _reported;

    public ValueTask<RoutineReply> NextAsync(CancellationToken cancellationToken)
    {
        RoutineReply reply = _reported ? RoutineReply.Completed : RoutineReply.Failure(error);
        _reported = true;
        return new(reply);
    }

    public ValueTask DisposeAsync() => default;
}
