using System.Diagnostics;
using Wool.Telemetry;
using Wool.Workers.Protocol;

namespace Wool.Tests.Telemetry;

/// <summary>The trace context a call carries: written from the caller's activity, read by the worker, bounded and forgiving.</summary>
[TestClass]
public sealed class TraceFramesTests
{
    [TestMethod]
    public void Write_ThenRead_GivesTheCallersSpanStateAndBaggage()
    {
        var call = new Call();
        Activity caller = new Activity("caller").SetIdFormat(ActivityIdFormat.W3C).AddBaggage("tenant", "acme").Start();
        caller.TraceStateString = "wool=1";
        caller.ActivityTraceFlags = ActivityTraceFlags.Recorded;
        try
        {
            TraceFrames.Write(call);
        }
        finally
        {
            caller.Stop();
        }

        var (parent, baggage) = TraceFrames.Read(call);

        Assert.AreEqual(caller.TraceId, parent.TraceId);
        Assert.AreEqual(caller.SpanId, parent.SpanId);
        Assert.AreEqual(ActivityTraceFlags.Recorded, parent.TraceFlags);
        Assert.AreEqual("wool=1", parent.TraceState);
        Assert.IsTrue(parent.IsRemote);
        Assert.AreEqual("acme", TraceBaggage.Parse(baggage).Single(b => b.Key == "tenant").Value);
    }

    [TestMethod]
    public void Read_TraceStateNotW3Cs_IsDroppedAndTheTraceKept()
    {
        const string parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        var injected = new Call { Traceparent = parent, Tracestate = "a=1\r\nX-Forged: yes" };
        var oversized = new Call { Traceparent = parent, Tracestate = "a=" + new string('b', TraceFrames.MaxTraceStateLength) };
        var fine = new Call { Traceparent = parent, Tracestate = "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE" };

        Assert.IsNull(TraceFrames.Read(injected).Parent.TraceState);
        Assert.AreEqual("0af7651916cd43dd8448eb211c80319c", TraceFrames.Read(injected).Parent.TraceId.ToHexString());
        Assert.IsNull(TraceFrames.Read(oversized).Parent.TraceState);
        Assert.AreEqual("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE", TraceFrames.Read(fine).Parent.TraceState);
    }

    [TestMethod]
    public void Parse_BaggageOfThousandsOfMembers_KeepsTheFirst64()
    {
        string baggage = string.Join(',', Enumerable.Range(0, 2000).Select(i => $"k{i}=v"));

        var members = TraceBaggage.Parse(baggage).ToList();

        Assert.HasCount(TraceBaggage.MaxMembers, members);
        Assert.AreEqual("k0", members.OrderBy(m => int.Parse(m.Key[1..], System.Globalization.CultureInfo.InvariantCulture)).First().Key);
        Assert.IsEmpty(TraceBaggage.Parse(null));
    }

    [TestMethod]
    public void Write_WithoutAnActivity_WritesNothing()
    {
        Activity? previous = Activity.Current;
        Activity.Current = null;
        var call = new Call();
        try
        {
            TraceFrames.Write(call);
        }
        finally
        {
            Activity.Current = previous;
        }

        Assert.AreEqual("", call.Traceparent);
        Assert.AreEqual(default, TraceFrames.Read(call).Parent);
    }

    [TestMethod]
    public void Read_MalformedOrOversizedContext_IsIgnored()
    {
        var malformed = new Call { Traceparent = "00-not-a-trace-01" };
        var oversized = new Call { Traceparent = "00-" + new string('a', TraceFrames.MaxValueLength) };
        var hugeBaggage = new Call
        {
            Traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            Baggage = "k=" + new string('v', TraceFrames.MaxValueLength),
        };

        Assert.AreEqual(default, TraceFrames.Read(malformed).Parent);
        Assert.AreEqual(default, TraceFrames.Read(oversized).Parent);
        var (parent, baggage) = TraceFrames.Read(hugeBaggage);
        Assert.AreEqual("0af7651916cd43dd8448eb211c80319c", parent.TraceId.ToHexString(), "A valid parent is kept when only the baggage is too large.");
        Assert.IsNull(baggage, "Baggage over the limit is dropped, not parsed.");
    }

    [TestMethod]
    public void Diagnostics_Names_AreWool()
    {
        Assert.AreEqual("Wool", WoolDiagnostics.ActivitySourceName);
        Assert.AreEqual("Wool", WoolDiagnostics.MeterName);
        Assert.AreEqual(WoolDiagnostics.ActivitySourceName, WoolInstruments.Source.Name);
        Assert.AreEqual(WoolDiagnostics.MeterName, WoolInstruments.Meter.Name);
    }

    [TestMethod]
    public void Outcome_OfEachEnding_IsItsTag()
    {
        Assert.AreEqual("ok", CallOutcomes.Of(null));
        Assert.AreEqual("cancelled", CallOutcomes.Of(new OperationCanceledException()));
        Assert.AreEqual("cancelled", CallOutcomes.Of(new TaskCanceledException()));
        Assert.AreEqual("worker_lost", CallOutcomes.Of(new WorkerLostException("lost", null)));
        Assert.AreEqual("refused", CallOutcomes.Of(new NoWorkersAvailableException("none", [], null)));
        Assert.AreEqual("exception", CallOutcomes.Of(new InvalidOperationException()));
    }
}
