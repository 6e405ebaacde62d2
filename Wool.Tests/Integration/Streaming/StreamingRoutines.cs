using System.Globalization;
using System.Runtime.CompilerServices;

namespace Wool.Tests.Integration.Streaming;

public sealed class StreamFailedException(string message, int afterItems) : Exception(message)
{
    public int AfterItems { get; } = afterItems;
}

/// <summary>Streaming routines whose side effects (files) show the worker's progress to the test.</summary>
internal static class StreamingRoutines
{
    /// <summary>Yields 0..count-1, writing how many items it has produced to <paramref name="progress"/> before each yield.</summary>
    [Routine]
    public static async IAsyncEnumerable<int> Paced(string progress, int count)
    {
        for (int i = 0; i < count; i++)
        {
            await Task.Yield();
            Write(progress, i + 1);
            yield return i;
        }
    }

    [Routine(Prefetch = 16)]
    public static async IAsyncEnumerable<int> Prefetched(string progress, int count)
    {
        for (int i = 0; i < count; i++)
        {
            await Task.Yield();
            Write(progress, i + 1);
            yield return i;
        }
    }

    [Routine(Prefetch = 256)]
    public static async IAsyncEnumerable<int> Numbers(int count)
    {
        for (int i = 0; i < count; i++)
        {
            yield return i;
        }

        await Task.CompletedTask;
    }

    /// <summary>Yields 0..burst-1 without waiting, then waits for its token before it would yield more.</summary>
    [Routine(Prefetch = 64)]
    public static async IAsyncEnumerable<int> BurstThenWait(int burst, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (int i = 0; i < burst; i++)
        {
            yield return i;
        }

        await Task.Delay(Timeout.Infinite, cancellationToken);
        yield return burst;
    }

    [Routine]
    public static async IAsyncEnumerable<int> WithFinally(string marker, int count)
    {
        try
        {
            for (int i = 0; i < count; i++)
            {
                await Task.Yield();
                yield return i;
            }
        }
        finally
        {
            Write(marker, 1);
        }
    }

    [Routine]
    public static async IAsyncEnumerable<int> FailAfter(int items)
    {
        for (int i = 0; i < items; i++)
        {
            await Task.Yield();
            yield return i;
        }

        throw new StreamFailedException($"Failed after {items} items.", items);
    }

    [Routine]
    public static async IAsyncEnumerable<int> Ticks(string marker, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            for (int i = 0; ; i++)
            {
                await Task.Delay(20, cancellationToken);
                yield return i;
            }
        }
        finally
        {
            Write(marker, 1);
        }
    }

    /// <summary>The seed's guessing game: binary search over [low, high], told "higher" or "lower" through <paramref name="answers"/>.</summary>
    [Routine]
    public static async IAsyncEnumerable<int> Guess(int low, int high, IAsyncEnumerable<string> answers)
    {
        await using var replies = answers.GetAsyncEnumerator();
        while (low <= high)
        {
            int guess = low + (high - low) / 2;
            yield return guess;
            if (!await replies.MoveNextAsync() || replies.Current == "correct")
            {
                yield break;
            }

            if (replies.Current == "higher")
            {
                low = guess + 1;
            }
            else
            {
                high = guess - 1;
            }
        }
    }

    /// <summary>Reads the caller's stream to the end; reports what it saw, including the caller's exception.</summary>
    [Routine]
    public static async Task<string> Drain(IAsyncEnumerable<int> values)
    {
        var seen = new List<string>();
        try
        {
            await foreach (int value in values)
            {
                seen.Add(value.ToString(CultureInfo.InvariantCulture));
            }
        }
        catch (Exception e)
        {
            seen.Add($"{e.GetType().Name}: {e.Message}");
        }

        return string.Join(",", seen);
    }

    /// <summary>Reads only the first item of the caller's stream, then stops.</summary>
    [Routine]
    public static async Task<int> First(IAsyncEnumerable<int> values)
    {
        await foreach (int value in values)
        {
            return value;
        }

        return -1;
    }

    /// <summary>A stream consumed on a worker from another routine's stream: returns the sum and who produced the items.</summary>
    [Routine]
    public static async Task<(long Sum, int Consumer, int[] Producers)> SumRemote(int count)
    {
        long sum = 0;
        var producers = new HashSet<int>();
        await foreach (var (value, producer) in Produce(count))
        {
            sum += value;
            producers.Add(producer);
        }

        return (sum, Environment.ProcessId, [.. producers]);
    }

    [Routine]
    public static async IAsyncEnumerable<(int Value, int Producer)> Produce(int count)
    {
        for (int i = 1; i <= count; i++)
        {
            await Task.Yield();
            yield return (i, Environment.ProcessId);
        }
    }

    public static int Read(string path)
        => File.Exists(path) ? int.Parse(File.ReadAllText(path), CultureInfo.InvariantCulture) : 0;

    private static void Write(string path, int value)
    {
        File.WriteAllText(path + ".tmp", value.ToString(CultureInfo.InvariantCulture));
        File.Move(path + ".tmp", path, overwrite: true);
    }
}
