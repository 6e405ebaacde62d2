namespace Wool.Workers.Pool;

/// <summary>What a pool does about a failed attempt to dispatch a call to one worker.</summary>
internal enum DispatchFailure
{
    /// <summary>Refused before it ran, for a passing reason (stopping, busy, past its deadline, unreachable): try the next worker.</summary>
    TryNext,

    /// <summary>Refused before it ran because the worker is at fault (other protocol, failing admission policy): stop using it, try the next.</summary>
    Evict,

    /// <summary>The worker accepted the call (or may have): never sent again; the caller gets the exception.</summary>
    Surface,
}
