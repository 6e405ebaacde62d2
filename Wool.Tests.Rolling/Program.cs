using Wool;
using Wool.Discovery;

// call <namespace> <count> <quorum> [<authority.pem> <certificate.pem> <key.pem>]: a caller of this
// build (over mutual TLS when given the files), once it knows <quorum> workers. Prints "build <module
// version id>", then, for each call, "answer <build letter> <worker pid>" or "failed <exception type>: <message>".
if (args is ["call", var ns, var count, var quorum, ..] && args.Length is 4 or 7)
{
    Console.WriteLine($"build {typeof(Rolling).Module.ModuleVersionId:N}");
    var options = WorkerPoolOptions.Default with
    {
        QuorumTimeout = TimeSpan.FromSeconds(20),
        Quorum = int.Parse(quorum, System.Globalization.CultureInfo.InvariantCulture),
        Credentials = args.Length == 7 ? Wool.Security.WorkerCredentials.FromPemFiles(args[4], args[5], args[6], workerIdentity: "wool-worker") : null,
    };
    await using var pool = new WorkerPool(discovery: new LocalDiscovery(ns), options: options);
    await pool.WaitForWorkersAsync();
    for (int i = 0; i < int.Parse(count, System.Globalization.CultureInfo.InvariantCulture); i++)
    {
        try
        {
            Console.WriteLine($"answer {await Rolling.Answer()}");
        }
        catch (WoolException e)
        {
            Console.WriteLine($"failed {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}");
        }
    }

    return 0;
}

Console.Error.WriteLine("Usage: Wool.Tests.Rolling call <namespace> <count> <quorum> [<authority.pem> <certificate.pem> <key.pem>]");
return 2;

internal static class Rolling
{
#if ROLLING_B
    private const string Build = "B";
#else
    private const string Build = "A";
#endif

    /// <summary>Which build ran the call, and where.</summary>
    [Routine]
    public static async Task<string> Answer()
    {
        await Task.Yield();
        return $"{Build} {Environment.ProcessId}";
    }
}

/// <summary>A value of the application's own type: each build has its own copy of it, by the same name.</summary>
public sealed record Stamp(string Build, int ProcessId)
{
#if ROLLING_B
    public static Stamp Here() => new("B", Environment.ProcessId);
#else
    public static Stamp Here() => new("A", Environment.ProcessId);
#endif
}
