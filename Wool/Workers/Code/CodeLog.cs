using Microsoft.Extensions.Logging;

namespace Wool.Workers.Code;

/// <summary>Log messages of shipped code, on the worker that loads it and the caller that sends it.</summary>
internal static partial class CodeLog
{
    [LoggerMessage(EventId = 401, EventName = "BuildLoaded", Level = LogLevel.Information, Message = "Loaded build {Build} of '{Assembly}' ({Files} assemblies of shipped code, from {Source}).")]
    public static partial void BuildLoaded(ILogger logger, string assembly, Guid build, int files, string source);

    [LoggerMessage(EventId = 402, EventName = "CacheEntryChanged", Level = LogLevel.Warning, Message = "The cached file of '{Assembly}' for build {Build} is missing or does not match its hash; fetching the build again.")]
    public static partial void CacheEntryChanged(ILogger logger, string assembly, Guid build);

    [LoggerMessage(EventId = 403, EventName = "CodeRefused", Level = LogLevel.Warning, Message = "Refused to run shipped code for call {CallId} ('{Assembly}'): {Reason}")]
    public static partial void CodeRefused(ILogger logger, ulong callId, string assembly, string reason);

    [LoggerMessage(EventId = 404, EventName = "CodeServed", Level = LogLevel.Debug, Message = "Sent '{Assembly}' ({Bytes} bytes) to {Worker}.")]
    public static partial void CodeServed(ILogger logger, string assembly, long bytes, string worker);

    [LoggerMessage(EventId = 405, EventName = "CodeNotServed", Level = LogLevel.Warning, Message = "Did not send '{Assembly}' to {Worker}: {Reason}")]
    public static partial void CodeNotServed(ILogger logger, string assembly, string worker, string reason);

    [LoggerMessage(EventId = 406, EventName = "BuildUnloaded", Level = LogLevel.Information, Message = "Unloaded build {Build} of shipped code: no call for {Seconds} s.")]
    public static partial void BuildUnloaded(ILogger logger, Guid build, double seconds);

    [LoggerMessage(EventId = 409, EventName = "Accepting", Level = LogLevel.Information, Message = "Takes shipped code from {From}; cache '{Cache}'; a build is unloaded {Unload}.")]
    public static partial void Accepting(ILogger logger, string from, string cache, string unload);

    [LoggerMessage(EventId = 410, EventName = "AcceptingFromNobody", Level = LogLevel.Warning, Message = "--accept-code is given, but no caller can ship code to this worker: it was not spawned by a pool, and --accept-code-from lists no identity (and needs mutual TLS).")]
    public static partial void AcceptingFromNobody(ILogger logger);

    [LoggerMessage(EventId = 407, EventName = "BuildCollected", Level = LogLevel.Information, Message = "The code of unloaded build {Build} was collected: managed heap {Before:0.0} MB before the unload, {After:0.0} MB after.")]
    public static partial void BuildCollected(ILogger logger, Guid build, double before, double after);

    [LoggerMessage(EventId = 408, EventName = "BuildNotCollected", Level = LogLevel.Warning, Message = "The code of unloaded build {Build} is still referenced a minute after its unload: its memory stays in use.")]
    public static partial void BuildNotCollected(ILogger logger, Guid build);
}
