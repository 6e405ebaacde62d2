using Microsoft.Extensions.Logging;

namespace Wool.Discovery;

/// <summary>Log messages of the discovery backends that talk to a server (DNS, etcd).</summary>
internal static partial class DiscoveryLog
{
    [LoggerMessage(EventId = 1, EventName = "DnsLookupFailed", Level = LogLevel.Warning, Message = "Looking up workers at '{Name}' failed ({Reason}); keeping the {Known} worker(s) known and retrying.")]
    public static partial void DnsLookupFailed(ILogger logger, string name, string reason, int known);

    [LoggerMessage(EventId = 2, EventName = "DnsLookupRecovered", Level = LogLevel.Information, Message = "Looking up workers at '{Name}' works again: {Count} worker(s).")]
    public static partial void DnsLookupRecovered(ILogger logger, string name, int count);

    [LoggerMessage(EventId = 3, EventName = "EtcdFailed", Level = LogLevel.Warning, Message = "{Activity}: etcd at {Endpoints} is unreachable ({Reason}); keeping the {Known} worker(s) known and retrying.")]
    public static partial void EtcdFailed(ILogger logger, string activity, string endpoints, string reason, int known);

    [LoggerMessage(EventId = 4, EventName = "EtcdRecovered", Level = LogLevel.Information, Message = "{Activity}: etcd is reachable again ({Count} worker(s)).")]
    public static partial void EtcdRecovered(ILogger logger, string activity, int count);

    [LoggerMessage(EventId = 5, EventName = "TooManyWorkers", Level = LogLevel.Warning, Message = "'{Source}' names more workers than the {Max} taken ({Setting}): {Ignored} or more are not used. Raise the setting if they are real.")]
    public static partial void TooManyWorkers(ILogger logger, string source, int ignored, int max, string setting);
}
