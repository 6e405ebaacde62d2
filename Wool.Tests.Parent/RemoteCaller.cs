using Microsoft.Extensions.Logging;
using Wool;
using Wool.Discovery;

namespace Wool.Tests.Parent;

/// <summary>
/// A caller in another host (run inside a network namespace by the DNS and etcd tests): a pool over
/// the discovery given, driven by lines on stdin. <c>where</c> prints <c>ran &lt;pid&gt;</c> (or
/// <c>failed &lt;type&gt;: &lt;message&gt;</c>); <c>hold &lt;ms&gt;</c> starts a call that lasts that long and
/// prints <c>held &lt;pid&gt;</c> when it ends; <c>workers</c> prints <c>workers &lt;addresses&gt;</c>, sorted.
/// Prints <c>ready</c> first; ends when stdin closes, after the calls it holds.
/// </summary>
public static class RemoteCaller
{
    public static async Task RunAsync(IWorkerDiscovery discovery, Wool.Security.WorkerCredentials? credentials = null)
    {
        // The pool's log goes to stderr, which the test keeps for its failure messages.
        using ILoggerFactory loggers = LoggerFactory.Create(logging => logging
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
            .AddFilter("Wool", LogLevel.Information));
        await using var pool = new WorkerPool(discovery: discovery, options: WorkerPoolOptions.Default with { QuorumTimeout = TimeSpan.FromSeconds(20), LoggerFactory = loggers, Credentials = credentials });
        loggers.CreateLogger("Wool.Tests.Parent").LogInformation("Caller {ProcessId} ready.", Environment.ProcessId);
        Console.WriteLine("ready");
        var holds = new List<Task>();
        while (await Console.In.ReadLineAsync() is { } line)
        {
            switch (line.Split(' '))
            {
                case ["where"]:
                    Console.WriteLine(await Report(Where(), "ran"));
                    break;
                case ["hold", var milliseconds]:
                    holds.Add(Task.Run(async () => Console.WriteLine(await Report(Hold(int.Parse(milliseconds, System.Globalization.CultureInfo.InvariantCulture)), "held"))));
                    break;
                case ["workers"]:
                    Console.WriteLine("workers " + string.Join(",", pool.Workers.Select(w => w.Address.Authority).Order(StringComparer.Ordinal)));
                    break;
                default:
                    Console.WriteLine($"unknown command '{line}'");
                    break;
            }
        }

        await Task.WhenAll(holds);
    }

    private static async Task<string> Report(Task<int> call, string verb)
    {
        try
        {
            return $"{verb} {await call}";
        }
        catch (Exception e)
        {
            return $"failed {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}";
        }
    }

    [Routine]
    private static async Task<int> Where()
    {
        await Task.Yield();
        return Environment.ProcessId;
    }

    [Routine]
    private static async Task<int> Hold(int milliseconds)
    {
        // In the worker's log, so a test knows the call is in flight there.
        await Console.Error.WriteLineAsync($"holding for {milliseconds} ms");
        await Task.Delay(milliseconds);
        return Environment.ProcessId;
    }
}
