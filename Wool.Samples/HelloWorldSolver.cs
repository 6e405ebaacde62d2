using System.Threading.Channels;
using Wool;

/// <summary>
/// The seed's string solver: one guesser routine per character position, each a binary search
/// that holds a conversation with its driver — it yields a guess, the driver answers "higher",
/// "lower" or "correct" through the stream it was given. The driver is itself a routine: it runs
/// on a worker and its guessers run on the pool's workers, worker to worker.
/// </summary>
internal static class HelloWorldSolver
{
    public static async Task RunAsync(string target)
    {
        bool live = !Console.IsOutputRedirected;
        int rounds = 0;
        await foreach (string attempt in Solve(target))
        {
            rounds++;
            if (live)
            {
                Console.Write($"\rsolving: {attempt}");
                await Task.Delay(120); // slow enough to watch the guesses converge
            }
            else
            {
                Console.WriteLine($"round {rounds}: {attempt}");
            }
        }

        if (live)
        {
            Console.WriteLine();
        }

        Console.WriteLine($"solved \"{target}\" in {rounds} rounds");
    }

    /// <summary>Drives one guesser per character; yields the current guess of the whole string after each round.</summary>
    [Routine]
    private static async IAsyncEnumerable<string> Solve(string target)
    {
        var hints = target.Select(_ => Channel.CreateUnbounded<string>()).ToArray();
        var guessers = hints.Select(h => GuessCharacter(h.Reader.ReadAllAsync()).GetAsyncEnumerator()).ToArray();
        var current = new char[target.Length];
        var solved = new bool[target.Length];
        try
        {
            while (!solved.All(s => s))
            {
                await Task.WhenAll(Enumerable.Range(0, target.Length).Where(i => !solved[i]).Select(async i =>
                {
                    if (!await guessers[i].MoveNextAsync())
                    {
                        throw new InvalidOperationException($"The guesser for position {i} gave up.");
                    }

                    char guess = guessers[i].Current;
                    current[i] = guess;
                    solved[i] = guess == target[i];
                    await hints[i].Writer.WriteAsync(solved[i] ? "correct" : guess < target[i] ? "higher" : "lower");
                }));
                yield return new string(current);
            }
        }
        finally
        {
            foreach (var guesser in guessers)
            {
                await guesser.DisposeAsync();
            }
        }
    }

    /// <summary>Guesses one printable ASCII character by binary search, reading a hint after each guess.</summary>
    [Routine]
    private static async IAsyncEnumerable<char> GuessCharacter(IAsyncEnumerable<string> hints)
    {
        int low = ' ', high = '~';
        await using var replies = hints.GetAsyncEnumerator();
        while (low <= high)
        {
            char guess = (char)(low + (high - low) / 2);
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
}
