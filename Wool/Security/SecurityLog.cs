using Microsoft.Extensions.Logging;

namespace Wool.Security;

/// <summary>Log messages of a worker's TLS handshakes (the worker's security category). Event ids are shared with the worker's log and stable.</summary>
internal static partial class SecurityLog
{
    [LoggerMessage(EventId = 13, EventName = "CallerRefused", Level = LogLevel.Warning, Message = "Refused a TLS connection from {Caller}: {Reason}.")]
    public static partial void CallerRefused(ILogger logger, string caller, string reason);

    [LoggerMessage(EventId = 18, EventName = "CallerLeft", Level = LogLevel.Warning, Message = "A TLS connection from {Caller} closed before any request: the caller may have refused this worker's certificate (untrusted authority, other identity, expired).")]
    public static partial void CallerLeft(ILogger logger, string caller);

    [LoggerMessage(EventId = 20, EventName = "AccessTokenRefused", Level = LogLevel.Warning, Message = "Refused a request from {Caller} to '{Path}': it did not present this worker's access token.")]
    public static partial void AccessTokenRefused(ILogger logger, string caller, string path);

    [LoggerMessage(EventId = 21, EventName = "LocalUserRefused", Level = LogLevel.Warning, Message = "Refused a connection from user {Peer} to this worker's socket: it serves user {Owner} only.")]
    public static partial void LocalUserRefused(ILogger logger, uint peer, uint owner);
}
