using System.Diagnostics;
using Wool;

/// <summary>
/// Ambient context across processes: a request-scoped tenant id set once by the caller is seen
/// by a routine on a worker and by the routine it calls on another hop; a value a routine sets is
/// seen by the routines it calls, and never flows back to its caller.
/// </summary>
internal static class RequestContext
{
    private static readonly WoolContextVar<string> Tenant = new("sample.tenant", defaultValue: "unknown");
    private static readonly WoolContextVar<string> Stage = new("sample.stage", defaultValue: "none");

    /// <param name="traces">Where this process and the workers write their spans (<see cref="SampleTelemetry"/>).</param>
    public static async Task RunAsync(string traces)
    {
        ActivityTraceId trace;
        using (SampleTelemetry.Caller(traces))
        {
            // The request is one trace: its span here, each call's span on this side and on the worker that ran it.
            using (Activity request = SampleTelemetry.Source.StartActivity("request order-17")!)
            using (WoolContext.Set(Tenant, "acme"))
            {
                trace = request.TraceId;
                foreach (string line in await HandleRequest("order-17"))
                {
                    Console.WriteLine(line);
                }
            }
        }

        Console.WriteLine($"  back in the caller: tenant={Tenant.Value}, stage={Stage.Value} (the routine's change did not flow back)");
        SampleTelemetry.Print(traces, trace);
    }

    [Routine]
    private static async Task<string[]> HandleRequest(string order)
    {
        string first = $"  hop 1 (worker {Environment.ProcessId}): tenant={Tenant.Value}, stage={Stage.Value}, handling {order}";
        Stage.Value = "validated"; // visible to what this routine calls next
        return [first, await Persist(order)];
    }

    [Routine]
    private static async Task<string> Persist(string order)
    {
        await Task.Yield();
        return $"  hop 2 (worker {Environment.ProcessId}): tenant={Tenant.Value}, stage={Stage.Value}, stored {order}";
    }
}
