using System.Diagnostics.Metrics;
using Wool.Telemetry;

namespace Wool.Workers.Pool;

/// <summary>
/// Caller side: <c>wool.client.workers</c>, the workers this process's pools know, by state
/// (<c>connected</c>: calls may go there; <c>refused</c>: skipped for failing authentication).
/// Observed on demand from the live <see cref="WorkerSet"/>s, which are held weakly. Thread-safe.
/// </summary>
internal static class WorkerGauge
{
    private static readonly Lock s_gate = new();
    private static readonly List<WeakReference<WorkerSet>> s_sets = [];

    static WorkerGauge()
        => WoolInstruments.Meter.CreateObservableUpDownCounter("wool.client.workers", Observe, "{worker}", "Workers this process's pools know, by state (connected, refused).");

    public static void Track(WorkerSet set)
    {
        lock (s_gate)
        {
            s_sets.RemoveAll(static r => !r.TryGetTarget(out _));
            s_sets.Add(new WeakReference<WorkerSet>(set));
        }
    }

    public static void Forget(WorkerSet set)
    {
        lock (s_gate)
        {
            s_sets.RemoveAll(r => !r.TryGetTarget(out WorkerSet? held) || ReferenceEquals(held, set));
        }
    }

    private static IEnumerable<Measurement<long>> Observe()
    {
        long connected = 0;
        long refused = 0;
        lock (s_gate)
        {
            foreach (WeakReference<WorkerSet> reference in s_sets)
            {
                if (reference.TryGetTarget(out WorkerSet? set))
                {
                    connected += set.Connections.Length;
                    refused += set.Refused.Count;
                }
            }
        }

        return
        [
            new(connected, new KeyValuePair<string, object?>(WoolInstruments.WorkerStateTag, "connected")),
            new(refused, new KeyValuePair<string, object?>(WoolInstruments.WorkerStateTag, "refused")),
        ];
    }
}
