using System.Diagnostics;

namespace Wool.Telemetry;

/// <summary>How caller and worker spans end alike: the outcome, the item count of a stream, the status and the exception.</summary>
internal static class Spans
{
    public static void End(Activity span, string outcome, Exception? error, long? items)
    {
        if (span.IsAllDataRequested)
        {
            span.AddTag(WoolInstruments.OutcomeTag, outcome);
            if (items is { } count)
            {
                span.AddTag("wool.stream.items", count);
            }

            if (error is not null)
            {
                span.AddTag("error.type", error.GetType().FullName);
                span.SetStatus(ActivityStatusCode.Error, error.Message);
                span.AddException(error);
            }
        }

        span.Stop();
    }
}
