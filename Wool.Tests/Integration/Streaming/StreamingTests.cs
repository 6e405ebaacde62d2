using System.Threading.Channels;
using Wool.Tests.Integration.Workers;

namespace Wool.Tests.Integration.Streaming;

/// <summary>Async iterators across processes keep their local semantics: pacing, early exit, errors, cancellation, duplex.</summary>
[TestClass]
[DoNotParallelize]
public sealed class StreamingTests
{
    private static string TempPath(string name) => Path.Combine(Path.GetTempPath(), $"wool-{name}-{Guid.NewGuid():N}");

    [TestMethod]
    public async Task PullStream_ByDefault_WorkerNeverRunsAheadOfCaller()
    {
        await SharedWorkerPool.UseAsync();
        string progress = TempPath("pull");
        using var timeout = new CancellationTokenSource(Timeouts.Default);
        var seen = new List<int>();

        await foreach (int item in StreamingRoutines.Paced(progress, 5).WithCancellation(timeout.Token))
        {
            seen.Add(item);
            await Task.Delay(150, timeout.Token); // time for a worker that ran ahead to show it
            Assert.AreEqual(item + 1, StreamingRoutines.Read(progress), $"After item {item} the worker must have produced exactly {item + 1} items.");
        }

        CollectionAssert.AreEqual(new[] { 0, 1, 2, 3, 4 }, seen);
        File.Delete(progress);
    }

    [TestMethod]
    public async Task PrefetchStream_WithWindow16_WorkerRunsAheadWithinTheWindow()
    {
        await SharedWorkerPool.UseAsync();
        string progress = TempPath("prefetch");
        using var timeout = new CancellationTokenSource(Timeouts.Default);
        await using var items = StreamingRoutines.Prefetched(progress, 100).GetAsyncEnumerator(timeout.Token);

        Assert.IsTrue(await items.MoveNextAsync());
        while (StreamingRoutines.Read(progress) < 16)
        {
            await Task.Delay(20, timeout.Token); // the worker fills its window while the caller holds item 0
        }

        await Task.Delay(300, timeout.Token); // time for a worker that ignored the window to show it
        int produced = StreamingRoutines.Read(progress);

        Assert.AreEqual(0, items.Current);
        Assert.AreEqual(16, produced, "The worker must fill its window of 16 items, and no more, while the caller holds item 0.");
        File.Delete(progress);
    }

    [TestMethod]
    public async Task PrefetchStream_ItemsBeforeAStepThatWaits_ArriveWithoutWaitingForIt()
    {
        await SharedWorkerPool.UseAsync();
        using var timeout = new CancellationTokenSource(Timeouts.Default);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        await using var items = StreamingRoutines.BurstThenWait(5, stop.Token).GetAsyncEnumerator(stop.Token);

        // The worker sends the items it produced at once together, but never holds them back for a step that waits.
        for (int expected = 0; expected < 5; expected++)
        {
            Assert.IsTrue(await items.MoveNextAsync().AsTask().WaitAsync(Timeouts.Default));
            Assert.AreEqual(expected, items.Current);
        }

        ValueTask<bool> sixth = items.MoveNextAsync();
        await stop.CancelAsync();
        await Assert.ThrowsAsync<OperationCanceledException>(async () => await sixth.AsTask().WaitAsync(Timeouts.Default));
    }

    [TestMethod]
    public async Task LongStream_100000Items_ArriveInOrderWithBoundedMemory()
    {
        WorkerPool pool = await SharedWorkerPool.UseAsync();
        using var timeout = new CancellationTokenSource(Timeouts.Default * 2);
        long expected = 0;
        long callerAt10k = 0;
        long workerAt10k = 0;
        int[] workers = [.. pool.Workers.Select(w => w.ProcessId)];

        await foreach (int item in StreamingRoutines.Numbers(100_000).WithCancellation(timeout.Token))
        {
            Assert.AreEqual(expected++, item);
            if (item == 10_000)
            {
                callerAt10k = GC.GetTotalMemory(forceFullCollection: true);
                workerAt10k = workers.Sum(ResidentBytes);
            }
        }

        Assert.AreEqual(100_000, expected);
        long callerGrowth = GC.GetTotalMemory(forceFullCollection: true) - callerAt10k;
        long workerGrowth = workers.Sum(ResidentBytes) - workerAt10k;
        Assert.IsLessThan(4L << 20, callerGrowth, "The caller's live memory must not grow with the stream.");
        Assert.IsLessThan(32L << 20, workerGrowth, "The workers' memory must not grow with the stream.");
    }

    [TestMethod]
    public async Task BreakOutOfAwaitForeach_StopsRemoteIteratorAndRunsItsFinally()
    {
        await SharedWorkerPool.UseAsync();
        string marker = TempPath("break");
        using var timeout = new CancellationTokenSource(Timeouts.Default);

        await foreach (int item in StreamingRoutines.WithFinally(marker, 1_000_000).WithCancellation(timeout.Token))
        {
            if (item == 2)
            {
                break;
            }
        }

        Assert.AreEqual(1, StreamingRoutines.Read(marker), "The iterator's finally block must have run on the worker when the loop exits.");
        File.Delete(marker);
    }

    [TestMethod]
    public async Task DisposeAsync_BeforeEnd_RunsRemoteFinally()
    {
        await SharedWorkerPool.UseAsync();
        string marker = TempPath("dispose");
        var items = StreamingRoutines.WithFinally(marker, 1_000).GetAsyncEnumerator();

        Assert.IsTrue(await items.MoveNextAsync().AsTask().WaitAsync(Timeouts.Default));
        await items.DisposeAsync().AsTask().WaitAsync(Timeouts.Default);

        Assert.AreEqual(1, StreamingRoutines.Read(marker));
        File.Delete(marker);
    }

    [TestMethod]
    public async Task ExceptionMidStream_ArrivesAfterEarlierItemsWithTypeAndRemoteTrace()
    {
        await SharedWorkerPool.UseAsync();
        var seen = new List<int>();

        var error = await Assert.ThrowsExactlyAsync<StreamFailedException>(async () =>
        {
            await foreach (int item in StreamingRoutines.FailAfter(3))
            {
                seen.Add(item);
            }
        }).WaitAsync(Timeouts.Default);

        CollectionAssert.AreEqual(new[] { 0, 1, 2 }, seen);
        Assert.AreEqual(3, error.AfterItems);
        StringAssert.Contains(error.ToString(), "StreamingRoutines.FailAfter");
    }

    [TestMethod]
    public Task EnumeratorCancellationParameter_Cancelled_CallerSeesCancellationAndFinallyRuns()
        => AssertCancellationReachesWorkerAsync("cancel-param", (marker, token) => StreamingRoutines.Ticks(marker, token).WithCancellation(CancellationToken.None));

    [TestMethod]
    public Task WithCancellation_Cancelled_CallerSeesCancellationAndFinallyRuns()
        => AssertCancellationReachesWorkerAsync("cancel-with", (marker, token) => StreamingRoutines.Ticks(marker, CancellationToken.None).WithCancellation(token));

    [TestMethod]
    public async Task Duplex_GuesserAnsweredThroughChannel_FindsTheNumber()
    {
        await SharedWorkerPool.UseAsync();
        const int secret = 7_321;
        var answers = Channel.CreateUnbounded<string>();
        var guesses = new List<int>();

        await foreach (int guess in StreamingRoutines.Guess(0, 10_000, answers.Reader.ReadAllAsync()).WithCancellation(new CancellationTokenSource(Timeouts.Default).Token))
        {
            guesses.Add(guess);
            await answers.Writer.WriteAsync(guess == secret ? "correct" : guess < secret ? "higher" : "lower");
        }

        Assert.AreEqual(secret, guesses[^1]);
        Assert.IsLessThanOrEqualTo(14, guesses.Count, "Binary search over 10,001 numbers needs at most 14 guesses.");
    }

    [TestMethod]
    public async Task StreamedArgument_ThatThrows_RoutineSeesCallersExceptionType()
    {
        await SharedWorkerPool.UseAsync();

        static async IAsyncEnumerable<int> Failing()
        {
            yield return 1;
            await Task.Yield();
            throw new InvalidDataException("caller's stream broke");
        }

        string seen = await StreamingRoutines.Drain(Failing()).WaitAsync(Timeouts.Default);

        Assert.AreEqual("1,InvalidDataException: caller's stream broke", seen);
    }

    [TestMethod]
    public async Task StreamedArgument_RoutineStopsEarly_CallersStreamIsDisposed()
    {
        await SharedWorkerPool.UseAsync();
        var disposed = new TaskCompletionSource();
        int produced = 0;

        async IAsyncEnumerable<int> Endless()
        {
            try
            {
                for (int i = 10; ; i++)
                {
                    produced++;
                    yield return i;
                    await Task.Yield();
                }
            }
            finally
            {
                disposed.TrySetResult();
            }
        }

        int first = await StreamingRoutines.First(Endless()).WaitAsync(Timeouts.Default);

        Assert.AreEqual(10, first);
        await disposed.Task.WaitAsync(Timeouts.Default);
        Assert.AreEqual(1, produced, "The routine pulled one item: the caller's stream must not have been advanced further.");
    }

    [TestMethod]
    public async Task NestedStream_ConsumedOnWorkerFromAnotherRoutine_ArrivesWhole()
    {
        WorkerPool pool = await SharedWorkerPool.UseAsync();
        var workers = pool.Workers.Select(w => w.ProcessId).ToHashSet();

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => StreamingRoutines.SumRemote(100))).WaitAsync(Timeouts.Default);

        foreach (var (sum, consumer, producers) in results)
        {
            Assert.AreEqual(5050, sum);
            Assert.IsTrue(workers.Contains(consumer));
            Assert.IsTrue(producers.All(workers.Contains), "The nested stream must run on a worker of the pool.");
        }

        Assert.IsTrue(results.Any(r => r.Producers.Single() != r.Consumer), "Nested streams must be dispatched to other workers, not run inline.");
    }

    [TestMethod]
    public async Task Duplex_InProcessPool_StreamsArgumentItemsAsCopies()
    {
        await using var pool = new InProcessPool();

        string seen = await StreamingRoutines.Drain(AsyncEnumerable.Range(1, 3)).WaitAsync(Timeouts.Default);

        Assert.AreEqual("1,2,3", seen);
    }

    /// <summary>Cancels an endless remote stream after two items: the caller sees cancellation and the routine's finally ran on the worker.</summary>
    private static async Task AssertCancellationReachesWorkerAsync(string name, Func<string, CancellationToken, System.Runtime.CompilerServices.ConfiguredCancelableAsyncEnumerable<int>> open)
    {
        await SharedWorkerPool.UseAsync();
        string marker = TempPath(name);
        using var cancellation = new CancellationTokenSource();
        int count = 0;

        await Assert.ThrowsAsync<OperationCanceledException>(async () =>
        {
            await foreach (int item in open(marker, cancellation.Token))
            {
                if (++count == 2)
                {
                    cancellation.Cancel();
                }
            }
        }).WaitAsync(Timeouts.Default);

        await WorkerPoolTests.WaitForFileAsync(marker);
        Assert.AreEqual(1, StreamingRoutines.Read(marker));
        File.Delete(marker);
    }

    private static long ResidentBytes(int processId)
    {
        string? line = File.ReadLines($"/proc/{processId}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }
}
