namespace Wool.Routines;

/// <summary>Where a routine pulls the items of its streamed arguments from (the caller, over whatever carries the call).</summary>
internal interface IArgumentSource
{
    /// <summary>The next item of the argument in <paramref name="slot"/>: a value, the end, or what the caller's stream threw.</summary>
    ValueTask<RoutineReply> PullAsync(uint slot, CancellationToken cancellationToken);

    /// <summary>The routine stopped reading the argument early: the caller disposes its stream.</summary>
    ValueTask CloseAsync(uint slot);
}
