using System.Diagnostics;
using Wool.Routines;
using Wool.Serialization;
using Wool.Tests.Workers.InMemory;
using Wool.Telemetry;
using Wool.Workers.Protocol;

namespace Wool.Tests.Telemetry;

/// <summary>
/// Telemetry is best effort: a listener that throws (the application's sampler or processor) costs
/// the call its span, never its reply, and never the connection. Not parallel: the listener hears
/// every Wool activity in this process.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class TelemetryFailureTests
{
    private const string TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    private static ActivityListener ThrowingListener() => new()
    {
        ShouldListenTo = source => source.Name == WoolDiagnostics.ActivitySourceName,
        Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        ActivityStarted = _ => throw new InvalidOperationException("the exporter is broken"),
    };

    [TestMethod]
    public async Task Worker_ListenerThatThrows_CallsAndStreamsStillAnswer()
    {
        using ActivityListener listener = ThrowingListener();
        ActivitySource.AddActivityListener(listener);
        await using var worker = new InMemoryWorker();
        using var session = new RawSession(worker);
        ClientFrame call = WireProtocol.ToFrame(1, TestRunner.Capture(() => InMemoryRoutines.Add(1, 2)), streaming: false);
        call.Call.Traceparent = TraceParent;
        ClientFrame stream = WireProtocol.ToFrame(2, TestRunner.CaptureStream(() => InMemoryRoutines.Counted(Guid.NewGuid().ToString("N"), 1)), streaming: true);
        stream.OpenStream.Traceparent = TraceParent;

        await session.SendAsync(call, stream, new ClientFrame { Id = 2, Pull = 1 });
        ServerFrame[] replies = [await session.ReadAsync(), await session.ReadAsync()];
        await session.SendAsync(new ClientFrame { Id = 2, Pull = 1 });
        ServerFrame end = await session.ReadAsync();

        ServerFrame result = replies.Single(r => r.Id == 1);
        Assert.AreEqual(3, WoolSerializer.Deserialize(result.Value.Memory));
        Assert.AreEqual(ServerFrame.KindOneofCase.Value, replies.Single(r => r.Id == 2).KindCase, "The stream's item arrives.");
        Assert.AreEqual(2UL, end.Id);
        Assert.AreEqual(ServerFrame.KindOneofCase.Completed, end.KindCase, "The stream ends, and the connection serves on.");
    }

    [TestMethod]
    public async Task Caller_ListenerThatThrows_TheCallStillReturns()
    {
        using ActivityListener listener = ThrowingListener();
        ActivitySource.AddActivityListener(listener);
        await using var pool = new InProcessPool();

        int sum = await InMemoryRoutines.Add(2, 3).WaitAsync(Timeouts.Default);

        Assert.AreEqual(5, sum);
    }
}
