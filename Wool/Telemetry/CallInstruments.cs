using System.Diagnostics.Metrics;

namespace Wool.Telemetry;

/// <summary>
/// The per-call instruments of one side of the wire, <c>wool.{side}.*</c>: calls by routine and
/// outcome, their duration, those in flight, stream items, and serialized bytes each way. Caller
/// and worker each have one set (<see cref="WoolInstruments.Client"/>, <see cref="WoolInstruments.Server"/>).
/// </summary>
internal sealed class CallInstruments
{
    // Seconds, from 100 µs (a warm call on one machine) to 10 s.
    private static readonly InstrumentAdvice<double> s_durationBuckets = new()
    {
        HistogramBucketBoundaries = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    };

    /// <param name="meter">Wool's meter.</param>
    /// <param name="side"><c>client</c> or <c>server</c>: the instruments' names are <c>wool.{side}.…</c>.</param>
    /// <param name="who">Who the descriptions speak of: "this process" (a caller), "this worker".</param>
    /// <param name="ran">What that side does with a call: "made", "served".</param>
    public CallInstruments(Meter meter, string side, string who, string ran)
    {
        Calls = meter.CreateCounter<long>($"wool.{side}.calls", "{call}", $"Routine calls {who} {ran}, by routine and outcome.");
        Duration = meter.CreateHistogram($"wool.{side}.call.duration", "s", $"How long routine calls {who} {ran} took (a stream: its whole life).", tags: null, s_durationBuckets);
        Active = meter.CreateUpDownCounter<long>($"wool.{side}.calls.active", "{call}", $"Routine calls (and open streams) {who} {ran} that have not ended.");
        Items = meter.CreateCounter<long>($"wool.{side}.stream.items", "{item}", $"Stream items of the calls {who} {ran}.");
        Sent = meter.CreateCounter<long>($"wool.{side}.sent", "By", $"Serialized bytes {who} sent for its calls (calls, or results, items and exceptions).");
        Received = meter.CreateCounter<long>($"wool.{side}.received", "By", $"Serialized bytes {who} received for its calls (results, items and exceptions, or calls).");
    }

    public Counter<long> Calls { get; }

    public Histogram<double> Duration { get; }

    public UpDownCounter<long> Active { get; }

    public Counter<long> Items { get; }

    public Counter<long> Sent { get; }

    public Counter<long> Received { get; }

    /// <summary>Whether anything listens to this side's spans or per-call instruments.</summary>
    public bool Enabled
        => WoolInstruments.Source.HasListeners() || Calls.Enabled || Duration.Enabled || Active.Enabled || Items.Enabled || Sent.Enabled || Received.Enabled;
}
