using System.Diagnostics;

namespace Wool.Telemetry;

/// <summary>
/// Caller side: the client span and the metrics of one routine call, or of one stream for its
/// whole life. Made only when something listens (<see cref="Start"/> returns null otherwise, so a
/// call nobody observes costs a few flag reads). The span is the flow's current activity while the
/// call is sent, so the call carries its trace context (see <c>Workers/Protocol/TraceFrames</c>).
/// <see cref="CallTelemetry.End"/> is called by the one flow that awaits the call.
/// </summary>
internal sealed class ClientCallTelemetry : CallTelemetry
{
    private WorkerInfo? _worker;

    private ClientCallTelemetry(string routine, bool streaming, Activity? span)
        : base(WoolInstruments.Client, routine, streaming, span)
    {
    }

    /// <summary>Starts observing a call of <paramref name="routine"/>; null when nothing listens.</summary>
    public static ClientCallTelemetry? Start(string routine, bool streaming)
    {
        if (!WoolInstruments.Client.Enabled)
        {
            return null;
        }

        try
        {
            Activity? span = WoolInstruments.Source.StartActivity(routine, ActivityKind.Client);
            TagStart(span, routine);
            return new ClientCallTelemetry(routine, streaming, span);
        }
        catch (Exception e)
        {
            TelemetryLog.Failed(e);
            return null;
        }
    }

    /// <summary>The call is being offered to <paramref name="worker"/>; the last one offered is the one that ran it (tagged at the end).</summary>
    public void Attempt(WorkerInfo worker) => _worker = worker;

    /// <summary>A worker refused the call before running it; the pool moves it to the next worker.</summary>
    public void Refused(WorkerInfo worker, string reason, bool transient, bool otherBuild)
    {
        try
        {
            string kind = WoolInstruments.Refusal(transient, otherBuild);
            WoolInstruments.ClientRefusals.Add(1, new(WoolInstruments.RoutineTag, Routine), new(WoolInstruments.RefusalTag, kind));
            Span?.AddEvent(new ActivityEvent("wool.refused", tags: new ActivityTagsCollection
            {
                ["wool.worker.id"] = worker.Id,
                [WoolInstruments.RefusalTag] = kind,
                // The worker's words, bounded: a span event is no place for a worker to fill.
                ["wool.refusal.reason"] = reason.Length > 256 ? reason[..256] + "…" : reason,
            }));
        }
        catch (Exception e)
        {
            TelemetryLog.Failed(e);
        }
    }

    /// <summary>Marks a moment of the call on its span (say, when the pool's workers became ready).</summary>
    public void Event(string name)
    {
        try
        {
            Span?.AddEvent(new ActivityEvent(name));
        }
        catch (Exception e)
        {
            TelemetryLog.Failed(e);
        }
    }

    protected override void TagEnd(Activity span)
    {
        if (_worker is not { } worker)
        {
            return;
        }

        Uri address = worker.Address;
        if (address.Scheme == "unix")
        {
            span.AddTag("server.address", address.AbsolutePath);
        }
        else
        {
            span.AddTag("server.address", address.Host);
            span.AddTag("server.port", address.Port);
        }

        span.AddTag("wool.worker.id", worker.Id);
    }
}
