using System.Diagnostics;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Wool.Telemetry;
using Wool.Tests.Integration.Discovery;

namespace Wool.Tests.Integration.Telemetry;

/// <summary>
/// Traces and metrics with real worker processes: the caller listens with OpenTelemetry's SDK and
/// in-memory exporter; the workers, configured by their startup (<see cref="TelemetryWorkerStartup"/>),
/// export to files this test reads. Not parallel: the caller's metrics are this process's.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class TelemetryTests
{
    private static readonly ActivitySource TestSource = new("Wool.Tests.Telemetry");
    private static string s_folder = "";

    [ClassInitialize]
    public static void CreateFolder(TestContext context)
    {
        s_folder = Directory.CreateTempSubdirectory("wool-telemetry-").FullName;
        // Inherited by the workers the pools below spawn: where their exporters write.
        Environment.SetEnvironmentVariable(TelemetryFiles.FolderVariable, s_folder);
    }

    [ClassCleanup]
    public static void DeleteFolder()
    {
        Environment.SetEnvironmentVariable(TelemetryFiles.FolderVariable, null);
        Directory.Delete(s_folder, recursive: true);
    }

    private static WorkerPoolOptions Options(ILoggerFactory? loggers = null) => WorkerPoolOptions.Default with
    {
        WorkerStartup = typeof(TelemetryWorkerStartup),
        AdmissionPolicy = typeof(RefuseFirstRefusable),
        LoggerFactory = loggers ?? WorkerPoolOptions.Default.LoggerFactory,
    };

    private static TracerProvider Tracing(List<Activity> spans)
        => Sdk.CreateTracerProviderBuilder().AddSource(WoolDiagnostics.ActivitySourceName, TestSource.Name).AddInMemoryExporter(spans).Build()!;

    private static List<SpanRecord> WorkerSpans(WorkerPool pool, ActivityTraceId trace, params int[] more)
        => [.. pool.Workers.Select(w => w.ProcessId).Concat(more).Distinct().SelectMany(pid => TelemetryFiles.ReadSpans(s_folder, pid)).Where(s => s.TraceId == trace.ToHexString())];

    [TestMethod]
    public async Task NestedCall_IsOneTraceOverThreeProcesses_WithEachSpanUnderItsCaller()
    {
        var spans = new List<Activity>();
        using TracerProvider tracing = Tracing(spans);
        await using var pool = new WorkerPool(spawn: 2, options: Options());
        await pool.WaitForWorkersAsync().WaitAsync(Timeouts.Default);

        Activity root = TestSource.StartActivity("request")!;
        int[] where = await TelemetryRoutines.Outer(1).WaitAsync(Timeouts.Default);
        root.Stop();

        Assert.HasCount(2, where.Distinct().ToArray(), $"The nested calls ran on both workers: {string.Join(", ", where)}");
        Activity client = spans.Single(s => s.TraceId == root.TraceId && s.Source.Name == WoolDiagnostics.ActivitySourceName);
        Assert.AreEqual(ActivityKind.Client, client.Kind);
        Assert.AreEqual(root.SpanId, client.ParentSpanId);
        StringAssert.Contains(client.DisplayName, "Outer");
        Assert.AreEqual("ok", client.GetTagItem("wool.outcome"));
        Assert.AreEqual("wool", client.GetTagItem("rpc.system"));
        Assert.AreEqual(pool.Workers.Single(w => w.ProcessId == where[0]).Id, client.GetTagItem("wool.worker.id"), "The client span names the worker that ran the call.");

        List<SpanRecord> remote = WorkerSpans(pool, root.TraceId);
        SpanRecord outer = remote.Single(s => s.Kind == "Server" && s.Name.Contains("Outer", StringComparison.Ordinal));
        Assert.AreEqual(where[0], outer.ProcessId);
        Assert.AreEqual(client.SpanId.ToHexString(), outer.ParentSpanId, "The worker's span is the child of the caller's.");
        Assert.AreEqual("ok", outer.Tags["wool.outcome"]);

        SpanRecord[] nestedClients = [.. remote.Where(s => s.Kind == "Client")];
        Assert.HasCount(2, nestedClients);
        Assert.IsTrue(nestedClients.All(s => s.ProcessId == where[0] && s.ParentSpanId == outer.SpanId), "Nested calls are children of the routine that made them.");
        SpanRecord[] inner = [.. remote.Where(s => s.Kind == "Server" && s.Name.Contains("Inner", StringComparison.Ordinal))];
        Assert.HasCount(2, inner);
        CollectionAssert.AreEquivalent(nestedClients.Select(s => s.SpanId).ToArray(), inner.Select(s => s.ParentSpanId).ToArray());
        CollectionAssert.AreEquivalent(where[1..], inner.Select(s => s.ProcessId).ToArray());
        int[] processes = [Environment.ProcessId, .. remote.Select(s => s.ProcessId)];
        Assert.HasCount(3, processes.Distinct().ToArray(), "One trace over the caller and two workers.");
    }

    [TestMethod]
    public async Task FailedCall_SetsErrorStatus_AndRecordsTheException_OnBothSides()
    {
        var spans = new List<Activity>();
        using TracerProvider tracing = Tracing(spans);
        await using var pool = new WorkerPool(spawn: 1, options: Options());

        Activity root = TestSource.StartActivity("request")!;
        await Assert.ThrowsExactlyAsync<InvalidOperationException>(() => TelemetryRoutines.Fail("boom").WaitAsync(Timeouts.Default));
        root.Stop();

        Activity client = spans.Single(s => s.TraceId == root.TraceId && s.Kind == ActivityKind.Client);
        Assert.AreEqual(ActivityStatusCode.Error, client.Status);
        Assert.AreEqual("boom", client.StatusDescription);
        Assert.AreEqual("exception", client.GetTagItem("wool.outcome"));
        Assert.AreEqual(typeof(InvalidOperationException).FullName, client.GetTagItem("error.type"));
        ActivityEvent recorded = client.Events.Single(e => e.Name == "exception");
        Assert.AreEqual(typeof(InvalidOperationException).FullName, recorded.Tags.Single(t => t.Key == "exception.type").Value);

        SpanRecord server = WorkerSpans(pool, root.TraceId).Single(s => s.Kind == "Server");
        Assert.AreEqual("Error", server.Status);
        Assert.AreEqual("exception", server.Tags["wool.outcome"]);
        Assert.AreEqual(typeof(InvalidOperationException).FullName, server.Tags["error.type"]);
        EventRecord thrown = server.Events.Single(e => e.Name == "exception");
        Assert.AreEqual("boom", thrown.Tags["exception.message"]);
        StringAssert.Contains(thrown.Tags["exception.stacktrace"], nameof(TelemetryRoutines.Fail), "The worker's span has the routine's own stack.");
    }

    [TestMethod]
    public async Task Stream_IsOneSpanForItsLife_WithItsItemCount()
    {
        var spans = new List<Activity>();
        using TracerProvider tracing = Tracing(spans);
        await using var pool = new WorkerPool(spawn: 1, options: Options());

        Activity root = TestSource.StartActivity("request")!;
        int received = 0;
        await foreach (int _ in TelemetryRoutines.Count(5).WithCancellation(new CancellationTokenSource(Timeouts.Default).Token))
        {
            received++;
        }

        root.Stop();

        Assert.AreEqual(5, received);
        Activity client = spans.Single(s => s.TraceId == root.TraceId && s.Kind == ActivityKind.Client);
        Assert.AreEqual(5L, client.GetTagItem("wool.stream.items"));
        Assert.AreEqual("ok", client.GetTagItem("wool.outcome"));
        SpanRecord server = WorkerSpans(pool, root.TraceId).Single(s => s.Kind == "Server");
        Assert.AreEqual("5", server.Tags["wool.stream.items"]);
        Assert.AreEqual(client.SpanId.ToHexString(), server.ParentSpanId);
    }

    [TestMethod]
    public async Task Baggage_ReachesTheRoutine()
    {
        await using var pool = new WorkerPool(spawn: 1, options: Options());
        Activity root = TestSource.StartActivity("request") ?? new Activity("request").Start();
        root.AddBaggage("tenant", "acme");

        string? seen = await TelemetryRoutines.Baggage("tenant").WaitAsync(Timeouts.Default);
        root.Stop();

        Assert.AreEqual("acme", seen);
    }

    [TestMethod]
    public async Task LogLineInsideACall_CarriesTheCallersTraceId()
    {
        var log = new CapturingLoggerProvider();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(log));
        await using var pool = new WorkerPool(spawn: 1, options: Options(loggers));

        // No listener in this process: the caller's own activity still carries the trace.
        Activity root = new Activity("request").Start();
        string? trace = await TelemetryRoutines.LogInside("hello from inside").WaitAsync(Timeouts.Default);
        root.Stop();

        Assert.AreEqual(root.TraceId.ToHexString(), trace);
        await Eventually.WaitUntilAsync(() => log.Messages.Any(m => m.Contains("hello from inside", StringComparison.Ordinal)));
        string line = log.Messages.First(m => m.Contains("hello from inside", StringComparison.Ordinal));
        StringAssert.Contains(line, $"TraceId:{trace}", "The worker's log line carries the call's trace id.");
    }

    [TestMethod]
    public async Task Metrics_AfterAKnownSequenceOfCalls_CountEachOutcomeOnEachSide()
    {
        var exported = new List<MetricSnapshot>();
        using MeterProvider meters = Sdk.CreateMeterProviderBuilder().AddMeter(WoolDiagnostics.MeterName).AddInMemoryExporter(exported).Build()!;
        await using var pool = new WorkerPool(spawn: 2, options: Options());
        await pool.WaitForWorkersAsync().WaitAsync(Timeouts.Default);
        using var deadline = new CancellationTokenSource(Timeouts.Default);

        for (int i = 0; i < 3; i++)
        {
            await TelemetryRoutines.Inner(i).WaitAsync(Timeouts.Default);
        }

        await Assert.ThrowsExactlyAsync<InvalidOperationException>(() => TelemetryRoutines.Fail("boom").WaitAsync(Timeouts.Default));
        await foreach (int _ in TelemetryRoutines.Count(4).WithCancellation(deadline.Token))
        {
        }

        // The first worker it reaches refuses it; the next runs it.
        await TelemetryRoutines.Refusable().WaitAsync(Timeouts.Default);

        string cancelledMarker = Path.Combine(s_folder, $"hold-{Guid.NewGuid():N}");
        using (var cancel = new CancellationTokenSource())
        {
            Task<int> held = TelemetryRoutines.Hold(cancelledMarker, cancel.Token);
            await Eventually.WaitUntilAsync(() => File.Exists(cancelledMarker));

            // In flight on both sides while it runs.
            meters.ForceFlush();
            Assert.AreEqual(1, Sum(Latest(exported), "wool.client.calls.active", ("rpc.method", "Hold")));
            await WaitForAsync(() => pool.Workers.Sum(w => Sum(TelemetryFiles.ReadMetrics(s_folder, w.ProcessId), "wool.server.calls.active", ("rpc.method", "Hold"))) == 1);
            Assert.AreEqual(1, pool.Workers.Sum(w => Sum(TelemetryFiles.ReadMetrics(s_folder, w.ProcessId), "wool.server.calls.active", ("rpc.method", "Hold"))));
            await cancel.CancelAsync();
            await Assert.ThrowsAsync<OperationCanceledException>(() => held.WaitAsync(Timeouts.Default));
        }

        int[] workers = [.. pool.Workers.Select(w => w.ProcessId)];
        List<MetricRecord> Served() => [.. workers.SelectMany(pid => TelemetryFiles.ReadMetrics(s_folder, pid))];
        // Each worker exports every 100 ms: wait for both to have reported all seven calls and the refusal.
        await WaitForAsync(() => Served() is var now && Count(now, "wool.server.call.duration") == 7 && Sum(now, "wool.server.refusals") == 1 && Sum(now, "wool.server.calls.active") == 0);
        List<MetricRecord> served = Served();
        Assert.AreEqual(3, Sum(served, "wool.server.calls", ("rpc.method", "Inner"), ("wool.outcome", "ok")));
        Assert.AreEqual(1, Sum(served, "wool.server.calls", ("rpc.method", "Fail"), ("wool.outcome", "exception")));
        Assert.AreEqual(1, Sum(served, "wool.server.calls", ("rpc.method", "Count"), ("wool.outcome", "ok")));
        Assert.AreEqual(4, Sum(served, "wool.server.stream.items", ("rpc.method", "Count")));
        Assert.AreEqual(1, Sum(served, "wool.server.calls", ("rpc.method", "Refusable"), ("wool.outcome", "ok")));
        Assert.AreEqual(1, Sum(served, "wool.server.refusals"), "One worker refused one call.");
        Assert.AreEqual(1, Sum(served, "wool.server.calls", ("rpc.method", "Hold"), ("wool.outcome", "cancelled")));
        Assert.AreEqual(7, Count(served, "wool.server.call.duration"));
        Assert.IsGreaterThan(0, Sum(served, "wool.server.received", ("rpc.method", "Inner")));
        Assert.IsGreaterThan(0, Sum(served, "wool.server.sent", ("rpc.method", "Inner")));

        // A worker killed under a call: the call ends 'worker lost', and the pool counts the loss.
        string lostMarker = Path.Combine(s_folder, $"hold-{Guid.NewGuid():N}");
        Task<int> lost = TelemetryRoutines.Hold(lostMarker, CancellationToken.None);
        await Eventually.WaitUntilAsync(() => File.Exists(lostMarker) && File.ReadAllText(lostMarker).Length > 0);
        Process.GetProcessById(int.Parse(File.ReadAllText(lostMarker), System.Globalization.CultureInfo.InvariantCulture)).Kill();
        await Assert.ThrowsExactlyAsync<WorkerLostException>(() => lost.WaitAsync(Timeouts.Default));
        await Eventually.WaitUntilAsync(() => pool.Workers.Count == 2);

        meters.ForceFlush();
        List<MetricRecord> called = Latest(exported);
        Assert.AreEqual(3, Sum(called, "wool.client.calls", ("rpc.method", "Inner"), ("wool.outcome", "ok")));
        Assert.AreEqual(3, Count(called, "wool.client.call.duration", ("rpc.method", "Inner"), ("wool.outcome", "ok")));
        Assert.AreEqual(1, Sum(called, "wool.client.calls", ("rpc.method", "Fail"), ("wool.outcome", "exception")));
        Assert.AreEqual(1, Sum(called, "wool.client.calls", ("rpc.method", "Count"), ("wool.outcome", "ok")));
        Assert.AreEqual(4, Sum(called, "wool.client.stream.items", ("rpc.method", "Count")));
        Assert.AreEqual(1, Sum(called, "wool.client.calls", ("rpc.method", "Refusable"), ("wool.outcome", "ok")));
        Assert.AreEqual(1, Sum(called, "wool.client.refusals", ("rpc.method", "Refusable")), "The refused call is counted once.");
        Assert.AreEqual(1, Sum(called, "wool.client.calls", ("rpc.method", "Hold"), ("wool.outcome", "cancelled")));
        Assert.AreEqual(1, Sum(called, "wool.client.calls", ("rpc.method", "Hold"), ("wool.outcome", "worker_lost")));
        Assert.AreEqual(1, Sum(called, "wool.client.workers.lost"));
        Assert.AreEqual(0, Sum(called, "wool.client.calls.active"));
        Assert.IsGreaterThan(0, Sum(called, "wool.client.sent", ("rpc.method", "Inner")));
        Assert.IsGreaterThan(0, Sum(called, "wool.client.received", ("rpc.method", "Inner")));
        // This pool's two workers (the replacement included); a pool another test left to the GC may still count.
        Assert.IsGreaterThanOrEqualTo(2, Sum(called, "wool.client.workers", ("wool.worker.state", "connected")));
    }

    [TestMethod]
    public async Task WorkerStartup_ThatThrows_StopsTheWorker_SayingWhy()
    {
        ProcessStartInfo start = DurableWorker.StartInfo(null, "--access-token-file", Path.Combine(s_folder, "token"), "--startup", typeof(FailingWorkerStartup).AssemblyQualifiedName!);
        using Process worker = Process.Start(start)!;
        try
        {
            Task<string> errors = worker.StandardError.ReadToEndAsync();
            await worker.WaitForExitAsync().WaitAsync(Timeouts.Default);

            Assert.AreEqual(2, worker.ExitCode);
            string message = await errors.WaitAsync(Timeouts.Default);
            StringAssert.Contains(message, $"The worker startup '{typeof(FailingWorkerStartup).FullName}' failed: the exporter's endpoint is not configured");
        }
        finally
        {
            if (!worker.HasExited)
            {
                worker.Kill();
            }
        }
    }

    [TestMethod]
    public void Pool_WithAWorkerStartupThatIsNotOne_IsRefusedBeforeSpawning()
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => new WorkerPool(spawn: 1, options: WorkerPoolOptions.Default with { WorkerStartup = typeof(string) }));

        StringAssert.Contains(error.Message, "The worker startup 'System.String' (WorkerPoolOptions.WorkerStartup) does not implement Wool.IWorkerStartup; implement it");
        var noConstructor = Assert.ThrowsExactly<ArgumentException>(() => new WorkerPool(spawn: 1, options: WorkerPoolOptions.Default with { WorkerStartup = typeof(StartupWithArguments) }));
        StringAssert.Contains(noConstructor.Message, "has no public parameterless constructor; add one");
    }

    [TestMethod]
    public async Task Pool_WhoseWorkerStartupThrows_FailsEachCallWithAnErrorOfItsOwn_SayingWhy()
    {
        await using var pool = new WorkerPool(spawn: 1, options: WorkerPoolOptions.Default with { WorkerStartup = typeof(FailingWorkerStartup) });

        var first = await Assert.ThrowsExactlyAsync<NoWorkersAvailableException>(() => TelemetryRoutines.Inner(1).WaitAsync(Timeouts.Default));
        var second = await Assert.ThrowsExactlyAsync<NoWorkersAvailableException>(() => TelemetryRoutines.Inner(2).WaitAsync(Timeouts.Default));

        StringAssert.Contains(first.Message, "the pool's workers could not start");
        StringAssert.Contains(first.Message, "the exporter's endpoint is not configured");
        Assert.AreNotSame(first, second, "Each call has its own exception, so its stack trace stays its own.");
    }

    /// <summary>Waits for <paramref name="condition"/>, within the timeout; the assertions after it say what is missing when it never came.</summary>
    private static async Task WaitForAsync(Func<bool> condition)
    {
        try
        {
            await Eventually.WaitUntilAsync(condition);
        }
        catch (OperationCanceledException)
        {
            // Timed out: the assertions that follow name the value that is wrong.
        }
    }

    /// <summary>The latest value of each metric point (cumulative exports: the last snapshot of each metric).</summary>
    private static List<MetricRecord> Latest(List<MetricSnapshot> exported)
        => [.. exported.GroupBy(m => m.Name).Select(g => g.Last()).SelectMany(TelemetryFiles.Records)];

    private static double Sum(List<MetricRecord> records, string name, params (string Key, string Value)[] tags)
        => Matching(records, name, tags).Sum(r => r.Value);

    private static long Count(List<MetricRecord> records, string name, params (string Key, string Value)[] tags)
        => Matching(records, name, tags).Sum(r => r.Count);

    // A routine's tag is its display name (TelemetryRoutines.Inner): matched by its end.
    private static IEnumerable<MetricRecord> Matching(List<MetricRecord> records, string name, (string Key, string Value)[] tags)
        => records.Where(r => r.Name == name && tags.All(t => r.Tags.TryGetValue(t.Key, out string? value) && value is not null && (t.Key == "rpc.method" ? value.EndsWith("." + t.Value, StringComparison.Ordinal) : value == t.Value)));
}
