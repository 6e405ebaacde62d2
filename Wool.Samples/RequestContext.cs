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

    public static async Task RunAsync()
    {
        using (WoolContext.Set(Tenant, "acme"))
        {
            foreach (string line in await HandleRequest("order-17"))
            {
                Console.WriteLine(line);
            }
        }

        Console.WriteLine($"  back in the caller: tenant={Tenant.Value}, stage={Stage.Value} (the routine's change did not flow back)");
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
