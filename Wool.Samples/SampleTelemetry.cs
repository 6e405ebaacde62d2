using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Wool;
using Wool.Telemetry;

// Every worker process the sample's pool spawns runs this startup before it serves.
[assembly: WorkerStartup(typeof(SampleTelemetry))]

/// <summary>
/// Tracing for the request-context sample with OpenTelemetry's SDK: the caller and each worker
/// export their spans to one folder (a JSON line each), and the caller prints the trace as a tree.
/// A real application would export to a collector instead (<c>AddOtlpExporter()</c>).
/// </summary>
internal sealed class SampleTelemetry : IWorkerStartup
{
    private const string FolderVariable = "WOOL_SAMPLE_TRACES";

    public static readonly ActivitySource Source = new("Wool.Samples");

    /// <summary>Makes the folder; called before the pool spawns its workers, which inherit its name.</summary>
    public static string Prepare()
    {
        string folder = Directory.CreateTempSubdirectory("wool-sample-traces-").FullName;
        Environment.SetEnvironmentVariable(FolderVariable, folder);
        return folder;
    }

    /// <summary>In each worker: record only the calls of a caller that is tracing (not the sample's other calls).</summary>
    public void ConfigureServices(IServiceCollection services)
    {
        if (Environment.GetEnvironmentVariable(FolderVariable) is { } folder)
        {
            services.AddOpenTelemetry().WithTracing(tracing => tracing
                .SetSampler(new ParentBasedSampler(new AlwaysOffSampler()))
                .AddSource(WoolDiagnostics.ActivitySourceName)
                .AddProcessor(new SimpleActivityExportProcessor(new SpanLines(folder))));
        }
    }

    /// <summary>The caller's tracing, while the returned provider lives.</summary>
    public static TracerProvider Caller(string folder) => Sdk.CreateTracerProviderBuilder()
        .AddSource(Source.Name, WoolDiagnostics.ActivitySourceName)
        .AddProcessor(new SimpleActivityExportProcessor(new SpanLines(folder)))
        .Build();

    /// <summary>Prints the spans of <paramref name="trace"/> that every process wrote, as a tree, then removes the folder.</summary>
    public static void Print(string folder, ActivityTraceId trace)
    {
        List<SpanLine> spans = [.. Directory.EnumerateFiles(folder, "*.jsonl")
            .SelectMany(File.ReadAllLines)
            .Select(line => JsonSerializer.Deserialize<SpanLine>(line)!)
            .Where(span => span.Trace == trace.ToHexString())
            .OrderBy(span => span.Start)];
        Console.WriteLine($"  trace {trace}:");
        foreach (SpanLine root in spans.Where(s => !spans.Any(p => p.Span == s.Parent)))
        {
            Print(root, spans, depth: 2);
        }

        Directory.Delete(folder, recursive: true);
    }

    private static void Print(SpanLine span, List<SpanLine> spans, int depth)
    {
        string where = span.ProcessId == Environment.ProcessId ? "caller" : $"worker {span.ProcessId}";
        string kind = span.Kind == nameof(ActivityKind.Internal) ? "" : $" ({span.Kind.ToLowerInvariant()})";
        Console.WriteLine($"{new string(' ', depth * 2)}{span.Name}{kind}: {where}, {span.Milliseconds:0.0} ms");
        foreach (SpanLine child in spans.Where(s => s.Parent == span.Span))
        {
            Print(child, spans, depth + 1);
        }
    }

    private sealed record SpanLine(string Trace, string Span, string? Parent, string Name, string Kind, int ProcessId, DateTime Start, double Milliseconds);

    /// <summary>Appends each ended span to this process's file in the folder.</summary>
    private sealed class SpanLines(string folder) : BaseExporter<Activity>
    {
        private readonly string _path = Path.Combine(folder, $"{Environment.ProcessId}.jsonl");

        public override ExportResult Export(in Batch<Activity> batch)
        {
            var lines = new List<string>();
            foreach (Activity span in batch)
            {
                lines.Add(JsonSerializer.Serialize(new SpanLine(
                    span.TraceId.ToHexString(),
                    span.SpanId.ToHexString(),
                    span.ParentSpanId == default ? null : span.ParentSpanId.ToHexString(),
                    span.DisplayName,
                    span.Kind.ToString(),
                    Environment.ProcessId,
                    span.StartTimeUtc,
                    span.Duration.TotalMilliseconds)));
            }

            lock (this)
            {
                File.AppendAllLines(_path, lines);
            }

            return ExportResult.Success;
        }
    }
}
