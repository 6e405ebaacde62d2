using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Wool.Context;

/// <summary>Log messages about context values. A worker points <see cref="Logger"/> at its logging.</summary>
internal static partial class ContextLog
{
    public static ILogger Logger { get; set; } = NullLogger.Instance;

    [LoggerMessage(EventId = 201, EventName = "ContextValueLost", Level = LogLevel.Warning, Message = "Context variable '{Name}' arrived but could not be read ({Reason}); it reads as unset. Use WoolContext.Strict() to make this an error.")]
    public static partial void ValueLost(ILogger logger, string name, string reason);
}
