namespace Wool.Routines;

/// <summary>What a <see cref="RoutineReply"/> carries.</summary>
internal enum RoutineReplyKind
{
    /// <summary>A result, or one item of a stream.</summary>
    Value,

    /// <summary>The exception the routine (or Wool on its behalf) threw; terminal.</summary>
    Exception,

    /// <summary>A stream ended normally; terminal.</summary>
    Completed,
}
