using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Wool.Tests.Integration.Telemetry;

internal static class TelemetryRoutines
{
    /// <summary>Two nested calls, which the worker's peers take in turn: one runs on each worker.</summary>
    [Routine]
    public static async Task<int[]> Outer(int n) => [Environment.ProcessId, await Inner(n), await Inner(n + 1)];

    [Routine]
    public static async Task<int> Inner(int n)
    {
        await Task.Yield();
        return Environment.ProcessId;
    }

    [Routine]
    public static async Task<int> Fail(string message)
    {
        await Task.Yield();
        throw new InvalidOperationException(message);
    }

    [Routine]
    public static async IAsyncEnumerable<int> Count(int n)
    {
        for (int i = 0; i < n; i++)
        {
            await Task.Yield();
            yield return i;
        }
    }

    [Routine]
    public static async Task<int> Refusable()
    {
        await Task.Yield();
        return Environment.ProcessId;
    }

    /// <summary>Says where it runs (a file), then waits until cancelled or its worker dies.</summary>
    [Routine]
    public static async Task<int> Hold(string marker, CancellationToken cancellationToken)
    {
        await File.WriteAllTextAsync(marker, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken);
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return Environment.ProcessId;
    }

    /// <summary>Logs through the worker's own logging (its startup's services), and returns the trace it ran in.</summary>
    [Routine]
    public static async Task<string?> LogInside(string message)
    {
        await Task.Yield();
        WorkerServices.Provider.GetRequiredService<ILoggerFactory>().CreateLogger("Telemetry.Test").LogWarning("{Message}", message);
        return Activity.Current?.TraceId.ToHexString();
    }

    /// <summary>The caller's baggage, as the routine's flow sees it.</summary>
    [Routine]
    public static async Task<string?> Baggage(string name)
    {
        await Task.Yield();
        return Activity.Current?.GetBaggageItem(name);
    }
}
