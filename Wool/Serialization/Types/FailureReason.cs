using System.Reflection;
using MessagePack;

namespace Wool.Serialization.Types;

/// <summary>The reason a serialization failed, without the wrappers MessagePack and reflection put around it.</summary>
internal static class FailureReason
{
    public static string Of(Exception e) => e switch
    {
        WoolSerializationException or ValueRefusedException or TypeAccessException => e.Message,
        MessagePackSerializationException { InnerException: { } inner } => Of(inner),
        TargetInvocationException { InnerException: { } inner } => Of(inner),
        TypeInitializationException { InnerException: { } inner } => Of(inner),
        InsufficientExecutionStackException => $"{e.Message.TrimEnd('.')} (WorkerLimits.MaxValueDepth, --max-value-depth)",
        _ => $"{e.GetType().Name}: {e.Message}",
    };
}
