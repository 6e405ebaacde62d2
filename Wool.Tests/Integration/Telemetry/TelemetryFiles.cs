using System.Diagnostics;
using System.Text.Json;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Wool.Tests.Integration.Telemetry;

/// <summary>A span as a worker process wrote it (one JSON line each).</summary>
internal sealed record SpanRecord(
    int ProcessId,
    string TraceId,
    string SpanId,
    string? ParentSpanId,
    string Name,
    string Kind,
    string Status,
    Dictionary<string, string?> Tags,
    List<EventRecord> Events,
    Dictionary<string, string?> Baggage)
{
    public static SpanRecord From(Activity span) => new(
        Environment.ProcessId,
        span.TraceId.ToHexString(),
        span.SpanId.ToHexString(),
        span.ParentSpanId == default ? null : span.ParentSpanId.ToHexString(),
        span.DisplayName,
        span.Kind.ToString(),
        span.Status.ToString(),
        span.TagObjects.ToDictionary(t => t.Key, t => Convert.ToString(t.Value, System.Globalization.CultureInfo.InvariantCulture)),
        [.. span.Events.Select(e => new EventRecord(e.Name, e.Tags.ToDictionary(t => t.Key, t => Convert.ToString(t.Value, System.Globalization.CultureInfo.InvariantCulture))))],
        span.Baggage.ToDictionary(b => b.Key, b => b.Value));
}

internal sealed record EventRecord(string Name, Dictionary<string, string?> Tags);

/// <summary>One metric point as a worker process last exported it.</summary>
internal sealed record MetricRecord(string Name, Dictionary<string, string?> Tags, double Value, long Count);

/// <summary>
/// Where the test workers' exporters write, one file per process: spans as JSON lines, appended as
/// each span ends (before the call's reply leaves the worker), and the latest metric snapshot.
/// </summary>
internal static class TelemetryFiles
{
    public const string FolderVariable = "WOOL_TEST_TELEMETRY_DIR";

    public static string? Folder => Environment.GetEnvironmentVariable(FolderVariable);

    public static string Spans(string folder, int processId) => Path.Combine(folder, $"spans-{processId}.jsonl");

    public static string Metrics(string folder, int processId) => Path.Combine(folder, $"metrics-{processId}.json");

    public static List<SpanRecord> ReadSpans(string folder, int processId)
    {
        string path = Spans(folder, processId);
        return File.Exists(path)
            ? [.. File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => JsonSerializer.Deserialize<SpanRecord>(l)!)]
            : [];
    }

    public static List<MetricRecord> ReadMetrics(string folder, int processId)
    {
        string path = Metrics(folder, processId);
        return File.Exists(path) ? JsonSerializer.Deserialize<List<MetricRecord>>(File.ReadAllText(path))! : [];
    }

    /// <summary>The metric points of an exporter's batch, as records.</summary>
    public static List<MetricRecord> Records(IEnumerable<Metric> metrics)
    {
        var records = new List<MetricRecord>();
        foreach (Metric metric in metrics)
        {
            foreach (ref readonly MetricPoint point in metric.GetMetricPoints())
            {
                records.Add(Record(metric.Name, metric.MetricType, point));
            }
        }

        return records;
    }

    /// <summary>The metric points of an in-memory exporter's snapshot, as records.</summary>
    public static IEnumerable<MetricRecord> Records(MetricSnapshot snapshot)
        => snapshot.MetricPoints.Select(point => Record(snapshot.Name, snapshot.MetricType, point));

    private static MetricRecord Record(string name, MetricType type, in MetricPoint point)
    {
        var tags = new Dictionary<string, string?>();
        foreach (KeyValuePair<string, object?> tag in point.Tags)
        {
            tags[tag.Key] = Convert.ToString(tag.Value, System.Globalization.CultureInfo.InvariantCulture);
        }

        (double value, long count) = type switch
        {
            MetricType.Histogram => (point.GetHistogramSum(), point.GetHistogramCount()),
            MetricType.LongSum or MetricType.LongSumNonMonotonic => (point.GetSumLong(), 0L),
            MetricType.DoubleSum or MetricType.DoubleSumNonMonotonic => (point.GetSumDouble(), 0L),
            MetricType.LongGauge => (point.GetGaugeLastValueLong(), 0L),
            _ => (point.GetGaugeLastValueDouble(), 0L),
        };
        return new MetricRecord(name, tags, value, count);
    }
}

/// <summary>Appends each ended span to this process's span file.</summary>
internal sealed class SpanFileExporter(string path) : BaseExporter<Activity>
{
    private readonly Lock _gate = new();

    public override ExportResult Export(in Batch<Activity> batch)
    {
        var lines = new List<string>();
        foreach (Activity span in batch)
        {
            lines.Add(JsonSerializer.Serialize(SpanRecord.From(span)));
        }

        lock (_gate)
        {
            File.AppendAllLines(path, lines);
        }

        return ExportResult.Success;
    }
}

/// <summary>Replaces this process's metric file with each export (cumulative values).</summary>
internal sealed class MetricFileExporter(string path) : BaseExporter<Metric>
{
    public override ExportResult Export(in Batch<Metric> batch)
    {
        var metrics = new List<Metric>();
        foreach (Metric metric in batch)
        {
            metrics.Add(metric);
        }

        string temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(TelemetryFiles.Records(metrics)));
        File.Move(temporary, path, overwrite: true);
        return ExportResult.Success;
    }
}
