using System.Diagnostics;

namespace Wool.Telemetry;

/// <summary>
/// Caller side: the client span and the metrics of one routine call, or of one stream for its
/// whole life. Made only when something listens (<see cref="Start"/> returns null otherwise, so a
/// call nobody observes costs a few flag reads). The span is the flow's current activity while the
/// call is sent, so the call carries its trace context (see <c>Workers/Protocol/TraceFrames</c>). Ends once.
/// Thread-safe for the counters; <see cref="End"/> is called by the one flow that awaits the call.
/// </summary>
internal sealed class ClientCallTelemetry
{
    private readonly Activity? _span;
    private readonly string _routine;
    private readonly long _started;
    private readonly bool _active;
    private readonly bool _streaming;
    private long _items;
    private int _ended;
    private WorkerInfo? _worker;

    private ClientCallTelemetry(string routine, bool streaming, Activity? span)
    {
        _routine = routine;
        _streaming = streaming;
        _span = span;
        _started = Stopwatch.GetTimestamp();
        if (WoolInstruments.ClientActive.Enabled)
        {
            // Remembered: a listener that attaches mid-call must not see an end without a start.
            _active = true;
            WoolInstruments.ClientActive.Add(1, new KeyValuePair<string, object?>(WoolInstruments.RoutineTag, routine));
        }
    }

    /// <summary>Starts observing a call of <paramref name="routine"/>; null when nothing listens.</summary>
    public static ClientCallTelemetry? Start(string routine, bool streaming)
    {
        if (!WoolInstruments.ClientEnabled)
        {
            return null;
        }

        try
        {
            Activity? span = WoolInstruments.Source.StartActivity(routine, ActivityKind.Client);
            if (span is { IsAllDataRequested: true })
            {
                // AddTag, not SetTag: each tag is set once, and AddTag does not search the list.
                span.AddTag("rpc.system", "wool");
                span.AddTag(WoolInstruments.RoutineTag, routine);
            }

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
            WoolInstruments.ClientRefusals.Add(1, new(WoolInstruments.RoutineTag, _routine), new(WoolInstruments.RefusalTag, kind));
            _span?.AddEvent(new ActivityEvent("wool.refused", tags: new ActivityTagsCollection
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
            _span?.AddEvent(new ActivityEvent(name));
        }
        catch (Exception e)
        {
            TelemetryLog.Failed(e);
        }
    }

    public void Sent(int bytes) => Count(WoolInstruments.ClientSent, bytes);

    public void Received(int bytes) => Count(WoolInstruments.ClientReceived, bytes);

    /// <summary>A stream item arrived.</summary>
    public void Item()
    {
        Interlocked.Increment(ref _items);
        Count(WoolInstruments.ClientItems, 1);
    }

    private void Count(System.Diagnostics.Metrics.Counter<long> counter, long value)
    {
        try
        {
            counter.Add(value, new KeyValuePair<string, object?>(WoolInstruments.RoutineTag, _routine));
        }
        catch (Exception e)
        {
            TelemetryLog.Failed(e);
        }
    }

    /// <summary>The call ended: returned (<paramref name="error"/> null), threw, was cancelled, or never ran.</summary>
    public void End(Exception? error)
    {
        try
        {
            if (Interlocked.Exchange(ref _ended, 1) != 0)
            {
                return;
            }

            string outcome = CallOutcomes.Of(error);
            KeyValuePair<string, object?> routine = new(WoolInstruments.RoutineTag, _routine);
            KeyValuePair<string, object?> ended = new(WoolInstruments.OutcomeTag, outcome);
            WoolInstruments.ClientCalls.Add(1, routine, ended);
            WoolInstruments.ClientDuration.Record(Stopwatch.GetElapsedTime(_started).TotalSeconds, routine, ended);
            if (_active)
            {
                WoolInstruments.ClientActive.Add(-1, routine);
            }

            if (_span is { } span)
            {
                if (span.IsAllDataRequested && _worker is { } worker)
                {
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

                Spans.End(span, outcome, error, _streaming ? Volatile.Read(ref _items) : null);
            }
        }
        catch (Exception e)
        {
            TelemetryLog.Failed(e);
        }
    }
}
