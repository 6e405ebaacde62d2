using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Wool.Tests.Integration.Workers;

/// <summary>Workers that die, pools that stop: every call gets an answer, nothing runs twice, no process is left behind.</summary>
[TestClass]
[DoNotParallelize]
public sealed class WorkerFailureTests
{
    [TestMethod]
    public void Constructor_ZeroOrNegativeSpawn_ThrowsArgumentOutOfRange()
    {
        var zero = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new WorkerPool(spawn: 0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new WorkerPool(spawn: -3));

        Assert.AreEqual("spawn", zero.ParamName);
        StringAssert.Contains(zero.Message, "at least one worker");
        Assert.IsNull(RoutinePool.Current, "A pool that failed to construct must not become ambient.");
    }

    [TestMethod]
    public async Task WorkerKilled_DuringCall_CallFailsWithinSecondsAndPoolKeepsServing()
    {
        await using var pool = new WorkerPool(spawn: 2);
        await pool.WaitForWorkersAsync().WaitAsync(Timeouts.Default);
        string marker = Path.Combine(Path.GetTempPath(), $"wool-kill-{Guid.NewGuid():N}");

        Task<int> call = WorkerRoutines.WaitWithMarkers(marker, 60_000, CancellationToken.None);
        await WorkerPoolTests.WaitForFileAsync(marker + ".started");
        int victim = int.Parse(File.ReadAllText(marker + ".started"), System.Globalization.CultureInfo.InvariantCulture);
        var watch = Stopwatch.StartNew();
        Process.GetProcessById(victim).Kill();

        var error = await Assert.ThrowsExactlyAsync<WorkerLostException>(() => call.WaitAsync(Timeouts.Default));
        Assert.IsLessThan(5_000, watch.ElapsedMilliseconds, "The caller must learn of the loss within seconds.");
        StringAssert.Contains(error.Message, "WorkerRoutines.WaitWithMarkers");
        StringAssert.Contains(error.Message, "does not retry");

        for (int i = 0; i < 4; i++)
        {
            int survivor = await WorkerRoutines.ProcessId().WaitAsync(Timeouts.Default);
            Assert.AreNotEqual(victim, survivor);
        }

        Assert.IsFalse(pool.Workers.Any(w => w.ProcessId == victim), "The dead worker must be out of the pool (a new one may have taken its place).");
        File.Delete(marker + ".started");
    }

    [TestMethod]
    public async Task AtMostOnce_WorkerKilledAmidManyCalls_NoCallRunsTwice()
    {
        string ledger = Directory.CreateTempSubdirectory("wool-ledger-").FullName;
        await using var pool = new WorkerPool(spawn: 3);
        await pool.WaitForWorkersAsync().WaitAsync(Timeouts.Default);
        int victim = pool.Workers[0].ProcessId;

        Task<int>[] calls = [.. Enumerable.Range(0, 300).Select(i => WorkerRoutines.RecordOnce(ledger, i, 100 + i % 7 * 30))];
        await Task.Delay(150);
        Process.GetProcessById(victim).Kill();
        await Task.WhenAll(calls.Select(c => c.ContinueWith(_ => { }, TaskScheduler.Default))).WaitAsync(Timeouts.Default);

        int succeeded = calls.Count(c => c.IsCompletedSuccessfully);
        int lost = calls.Count(c => c.Exception?.InnerException is WorkerLostException);
        Assert.AreEqual(300, succeeded + lost, "Every call must end with its result or with WorkerLostException.");
        Assert.IsGreaterThan(0, lost, "Killing a busy worker must fail the calls it was running.");
        Assert.IsEmpty(Directory.GetFiles(ledger, "duplicate-*"), "A call ran twice.");
        foreach (var call in calls.Where(c => c.IsCompletedSuccessfully))
        {
            Assert.IsTrue(File.Exists(Path.Combine(ledger, call.Result.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        }

        Directory.Delete(ledger, recursive: true);
    }

    [TestMethod]
    public async Task Dispose_WithCallsInFlight_ShortCallFinishesLongCallIsCancelledAndWorkersExit()
    {
        var pool = new WorkerPool(spawn: 2, options: WorkerPoolOptions.Default with { ShutdownGracePeriod = TimeSpan.FromSeconds(2) });
        await pool.WaitForWorkersAsync().WaitAsync(Timeouts.Default);
        int[] workers = [.. pool.Workers.Select(w => w.ProcessId)];
        string marker = Path.Combine(Path.GetTempPath(), $"wool-grace-{Guid.NewGuid():N}");

        Task<int> shortCall = WorkerRoutines.ProcessIdAfter(300);
        Task<int> longCall = WorkerRoutines.WaitWithMarkers(marker, 60_000, CancellationToken.None);
        await WorkerPoolTests.WaitForFileAsync(marker + ".started");
        var watch = Stopwatch.StartNew();
        await pool.DisposeAsync().AsTask().WaitAsync(Timeouts.Default);

        CollectionAssert.Contains(workers, await shortCall.WaitAsync(Timeouts.Default), "A call shorter than the grace period must complete.");
        await Assert.ThrowsAsync<OperationCanceledException>(() => longCall.WaitAsync(Timeouts.Default));
        Assert.IsTrue(File.Exists(marker + ".finally"), "The cancelled call's finally block must run on the worker.");
        Assert.IsLessThan(8_000, watch.ElapsedMilliseconds);
        foreach (int worker in workers)
        {
            Assert.IsTrue(HasExited(worker), $"Worker {worker} outlived its pool.");
        }

        var afterwards = await Assert.ThrowsExactlyAsync<RoutineInvocationException>(() => WorkerRoutines.ProcessId().WaitAsync(Timeouts.Default));
        StringAssert.Contains(afterwards.Message, "no worker pool: none is in scope");
        File.Delete(marker + ".started");
        File.Delete(marker + ".finally");
    }

    [TestMethod]
    public async Task Cancellation_WorkerFrozenDuringCall_CallerGetsCancellationWithinGrace()
    {
        await using var pool = new WorkerPool(spawn: 1);
        await pool.WaitForWorkersAsync().WaitAsync(Timeouts.Default);
        int worker = pool.Workers[0].ProcessId;
        string marker = Path.Combine(Path.GetTempPath(), $"wool-frozen-{Guid.NewGuid():N}");
        using var cancellation = new CancellationTokenSource();

        Task<int> call = WorkerRoutines.WaitWithMarkers(marker, 60_000, cancellation.Token);
        await WorkerPoolTests.WaitForFileAsync(marker + ".started");
        using (FrozenProcess.Freeze(worker))
        {
            var watch = Stopwatch.StartNew();
            cancellation.Cancel();
            var error = await Assert.ThrowsAsync<OperationCanceledException>(() => call.WaitAsync(Timeouts.Default));

            Assert.IsLessThan(8_000, watch.ElapsedMilliseconds, "A silent worker must not hold a cancelled caller.");
            StringAssert.Contains(error.Message, "did not confirm");
        }

        File.Delete(marker + ".started");
    }

    [TestMethod]
    public async Task SilentlyDeadWorker_NoDeadlineGiven_CallFailsThroughKeepAliveInsteadOfHanging()
    {
        await using var pool = new WorkerPool(spawn: 1, options: WorkerPoolOptions.Default with { KeepAlive = TimeSpan.FromSeconds(1) });
        await pool.WaitForWorkersAsync().WaitAsync(Timeouts.Default);
        int worker = pool.Workers[0].ProcessId;
        string marker = Path.Combine(Path.GetTempPath(), $"wool-silent-{Guid.NewGuid():N}");

        Task<int> call = WorkerRoutines.WaitWithMarkers(marker, 60_000, CancellationToken.None);
        await WorkerPoolTests.WaitForFileAsync(marker + ".started");
        using (FrozenProcess.Freeze(worker))
        {
            var watch = Stopwatch.StartNew();
            await Assert.ThrowsExactlyAsync<WorkerLostException>(() => call.WaitAsync(Timeouts.Default));
            Assert.IsLessThan(10_000, watch.ElapsedMilliseconds);
        }

        File.Delete(marker + ".started");
    }

    [TestMethod]
    public async Task WorkerOutput_WrittenByRoutine_ReachesThePoolsLogger()
    {
        var logs = new CapturingLoggerProvider();
        using var loggerFactory = Microsoft.Extensions.Logging.LoggerFactory.Create(b => b.AddProvider(logs));
        await using var pool = new WorkerPool(spawn: 1, options: WorkerPoolOptions.Default with { LoggerFactory = loggerFactory });
        string line = $"hello from the worker {Guid.NewGuid():N}";

        await WorkerRoutines.Print(line).WaitAsync(Timeouts.Default);

        using var timeout = new CancellationTokenSource(Timeouts.Default);
        while (!logs.Messages.Any(m => m.Contains(line, StringComparison.Ordinal)))
        {
            await Task.Delay(20, timeout.Token);
        }

        StringAssert.Contains(logs.Messages.First(m => m.Contains(line, StringComparison.Ordinal)), $"[worker {pool.Workers[0].ProcessId}]");
    }

    internal static bool HasExited(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return process.HasExited;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }
}
