using Microsoft.Extensions.Logging;

namespace Wool.Workers.Host;

/// <summary>Log messages of the worker process.</summary>
internal static partial class WorkerLog
{
    [LoggerMessage(EventId = 1, EventName = "WorkerStarted", Level = LogLevel.Information, Message = "Worker {ProcessId} serves at '{Address}'.")]
    public static partial void Started(ILogger logger, string address, int processId);

    [LoggerMessage(EventId = 2, EventName = "WorkerStopping", Level = LogLevel.Information, Message = "Worker stopping: refusing new calls, {InFlight} in flight, grace period {GraceMilliseconds} ms.")]
    public static partial void Stopping(ILogger logger, int inFlight, double graceMilliseconds);

    [LoggerMessage(EventId = 3, EventName = "CancellingCalls", Level = LogLevel.Warning, Message = "Grace period over: cancelling {InFlight} call(s) still in flight.")]
    public static partial void CancellingCalls(ILogger logger, int inFlight);

    [LoggerMessage(EventId = 4, EventName = "CallsIgnoredCancellation", Level = LogLevel.Warning, Message = "{InFlight} call(s) did not end after cancellation; stopping without them.")]
    public static partial void CallsIgnoredCancellation(ILogger logger, int inFlight);

    [LoggerMessage(EventId = 5, EventName = "ParentGone", Level = LogLevel.Warning, Message = "The process that started this worker is gone; stopping.")]
    public static partial void ParentGone(ILogger logger);

    [LoggerMessage(EventId = 6, EventName = "ConnectionEnded", Level = LogLevel.Debug, Message = "A caller's connection ended: {Reason}")]
    public static partial void ConnectionEnded(ILogger logger, string reason);

    [LoggerMessage(EventId = 7, EventName = "CallRefused", Level = LogLevel.Information, Message = "Refused call {CallId}: {Reason}")]
    public static partial void CallRefused(ILogger logger, ulong callId, string reason);

    [LoggerMessage(EventId = 8, EventName = "UnknownFrame", Level = LogLevel.Warning, Message = "Ignored a frame of unknown kind '{Kind}' for call {CallId}.")]
    public static partial void UnknownFrame(ILogger logger, string kind, ulong callId);

    [LoggerMessage(EventId = 10, EventName = "AdmissionPolicyFailed", Level = LogLevel.Error, Message = "The admission policy threw for call {CallId} of routine '{Routine}'; the call is refused and callers stop using this worker.")]
    public static partial void AdmissionPolicyFailed(ILogger logger, Exception exception, ulong callId, string routine);

    [LoggerMessage(EventId = 11, EventName = "InsecureListen", Level = LogLevel.Warning, Message = "Listening on '{Address}' without TLS (--insecure-listen-on-network): anyone who can reach this port can run code as this process.")]
    public static partial void InsecureListen(ILogger logger, string address);

    [LoggerMessage(EventId = 12, EventName = "OnlyLoopback", Level = LogLevel.Warning, Message = "This host has no routable IPv4 address; advertising loopback, which other machines cannot reach.")]
    public static partial void OnlyLoopback(ILogger logger);

    [LoggerMessage(EventId = 9, EventName = "PeersChanged", Level = LogLevel.Debug, Message = "Nested calls now go to {Count} peer(s).")]
    public static partial void PeersChanged(ILogger logger, int count);

    [LoggerMessage(EventId = 14, EventName = "CredentialsRotated", Level = LogLevel.Information, Message = "Adopted rotated credentials: new connections use them; open connections keep theirs.")]
    public static partial void CredentialsRotated(ILogger logger);

    [LoggerMessage(EventId = 15, EventName = "CredentialsNotReloaded", Level = LogLevel.Warning, Message = "Changed credential files could not be loaded ({Reason}); the previous credentials stay in use.")]
    public static partial void CredentialsNotReloaded(ILogger logger, string reason);

    [LoggerMessage(EventId = 16, EventName = "Tls", Level = LogLevel.Information, Message = "Serving over {Mode}.")]
    public static partial void Tls(ILogger logger, string mode);

    [LoggerMessage(EventId = 19, EventName = "PeersIgnored", Level = LogLevel.Warning, Message = "Ignored a peer list with the address '{Address}', which is not an absolute URI; the worker keeps its peers.")]
    public static partial void PeersIgnored(ILogger logger, string address);

    [LoggerMessage(EventId = 22, EventName = "PeersRefused", Level = LogLevel.Warning, Message = "Ignored a peer list from a caller that does not own this worker; nested calls keep going to the peers its owner (or its discovery) named.")]
    public static partial void PeersRefused(ILogger logger);

    [LoggerMessage(EventId = 23, EventName = "StopRefused", Level = LogLevel.Warning, Message = "Refused a stop request from a caller that does not own this worker.")]
    public static partial void StopRefused(ILogger logger);

    [LoggerMessage(EventId = 24, EventName = "ConnectionShareReached", Level = LogLevel.Warning, Message = "Refused call {CallId}: its connection already has its most {Kind} open on this worker ({Limit}).")]
    public static partial void ConnectionShareReached(ILogger logger, ulong callId, string kind, int limit);

    [LoggerMessage(EventId = 25, EventName = "RepliesUnread", Level = LogLevel.Warning, Message = "A caller is not reading its replies ({Bytes} bytes waiting): its connection's requests are held back until it does.")]
    public static partial void RepliesUnread(ILogger logger, long bytes);

    [LoggerMessage(EventId = 26, EventName = "ConnectionsFull", Level = LogLevel.Warning, Message = "Closed a connection from {Caller}: this worker serves at most {Max} connections at once.")]
    public static partial void ConnectionsFull(ILogger logger, int max, string caller);

    [LoggerMessage(EventId = 27, EventName = "ConnectionNotAuthenticated", Level = LogLevel.Warning, Message = "Closed a connection from {Caller}: it did not authenticate within {Seconds} s.")]
    public static partial void ConnectionNotAuthenticated(ILogger logger, string caller, double seconds);
}
