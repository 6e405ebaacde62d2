namespace Wool.Tests.Integration.Workers;

/// <summary>Routines whose results and side effects show where and how they ran.</summary>
internal static class WorkerRoutines
{
    [Routine]
    public static async Task<int> ProcessId()
    {
        await Task.Yield();
        return Environment.ProcessId;
    }

    [Routine]
    public static async Task<int> ProcessIdAfter(int milliseconds)
    {
        await Task.Delay(milliseconds);
        return Environment.ProcessId;
    }

    /// <summary>Writes "started" with its process id to <paramref name="marker"/>, waits, and writes "finally" in its finally block.</summary>
    [Routine]
    public static async Task<int> WaitWithMarkers(string marker, int milliseconds, CancellationToken cancellationToken)
    {
        // Written aside and renamed: the test polls for the file and must never read it half-written.
        File.WriteAllText(marker + ".tmp", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        File.Move(marker + ".tmp", marker + ".started");
        try
        {
            await Task.Delay(milliseconds, cancellationToken);
            return Environment.ProcessId;
        }
        finally
        {
            File.WriteAllText(marker + ".finally", "ran");
        }
    }

    /// <summary>
    /// Records its execution in a ledger folder: each call id may create its entry once; a second
    /// execution of the same id leaves a duplicate marker the test looks for.
    /// </summary>
    [Routine]
    public static async Task<int> RecordOnce(string ledger, int callId, int milliseconds)
    {
        await RecordOnceLocally(ledger, callId);
        await Task.Delay(milliseconds);
        return callId;
    }

    public static Task RecordOnceLocally(string ledger, int callId)
    {
        try
        {
            using (File.Open(Path.Combine(ledger, callId.ToString(System.Globalization.CultureInfo.InvariantCulture)), FileMode.CreateNew))
            {
            }
        }
        catch (IOException)
        {
            File.WriteAllText(Path.Combine(ledger, $"duplicate-{callId}"), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return Task.CompletedTask;
    }

    /// <summary>Returns the value and every process that computed a part of it.</summary>
    [Routine]
    public static async Task<(int Value, int[] ProcessIds)> Fibonacci(int n)
    {
        if (n < 2)
        {
            await Task.Yield();
            return (n, [Environment.ProcessId]);
        }

        var parts = await Task.WhenAll(Fibonacci(n - 1), Fibonacci(n - 2));
        return (parts[0].Value + parts[1].Value, [Environment.ProcessId, .. parts[0].ProcessIds, .. parts[1].ProcessIds]);
    }

    [Routine]
    public static async Task Print(string line)
    {
        await Task.Yield();
        Console.WriteLine(line);
    }

    [Routine]
    public static async IAsyncEnumerable<int> Count(int count)
    {
        for (int i = 0; i < count; i++)
        {
            await Task.Yield();
            yield return i;
        }
    }
}
