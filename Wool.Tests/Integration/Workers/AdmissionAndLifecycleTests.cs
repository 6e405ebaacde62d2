using Wool.Admission;

namespace Wool.Tests.Integration.Workers;

/// <summary>Takes one call at a time: a busy worker refuses, and the pool sends the call elsewhere.</summary>
public sealed class OneAtATime : IAdmissionPolicy
{
    public bool Admit(AdmissionRequest request) => request.InFlight == 0;
}

/// <summary>A policy with a bug: the worker is at fault and the pool stops using it.</summary>
public sealed class BrokenPolicy : IAdmissionPolicy
{
    public bool Admit(AdmissionRequest request) => throw new InvalidOperationException("policy bug");
}

/// <summary>Admission control, status and idle time, and stopping one worker with a grace period.</summary>
[TestClass]
[DoNotParallelize]
public sealed class AdmissionAndLifecycleTests
{
    [TestMethod]
    public async Task AdmissionPolicy_BusyWorkersRefuse_CallsGoElsewhereThenNoWorkersAvailable()
    {
        await using var pool = new WorkerPool(spawn: 2, options: WorkerPoolOptions.Default with { AdmissionPolicy = typeof(OneAtATime) });
        await pool.WaitForWorkersAsync().WaitAsync(Timeouts.Default);

        Task<int> first = WorkerRoutines.ProcessIdAfter(3000);
        Task<int> second = WorkerRoutines.ProcessIdAfter(3000);
        using var timeout = new CancellationTokenSource(Timeouts.Default);
        while ((await Task.WhenAll(pool.Workers.Select(w => pool.GetStatusAsync(w, timeout.Token)))).Any(s => s.InFlight == 0))
        {
            await Task.Delay(20, timeout.Token); // until both workers are busy
        }

        var refused = await Assert.ThrowsExactlyAsync<NoWorkersAvailableException>(() => WorkerRoutines.ProcessId().WaitAsync(Timeouts.Default));

        int[] done = await Task.WhenAll(first, second).WaitAsync(Timeouts.Default);
        Assert.AreEqual(2, done.Distinct().Count(), "The second call must have gone to the worker that was free.");
        Assert.HasCount(2, refused.Failures);
        Assert.IsTrue(refused.Failures.All(f => f.Contains("admission policy refused it", StringComparison.Ordinal)), string.Join(" | ", refused.Failures));
        Assert.HasCount(2, pool.Workers, "A busy worker is not at fault: it stays in the pool.");
        await WorkerRoutines.ProcessId().WaitAsync(Timeouts.Default);
    }

    [TestMethod]
    public async Task AdmissionPolicy_Throws_WorkerIsEvictedAndKeepsRunning()
    {
        await using var pool = new WorkerPool(spawn: 2, options: WorkerPoolOptions.Default with { AdmissionPolicy = typeof(BrokenPolicy) });
        await pool.WaitForWorkersAsync().WaitAsync(Timeouts.Default);
        int[] workers = [.. pool.Workers.Select(w => w.ProcessId)];

        var error = await Assert.ThrowsExactlyAsync<NoWorkersAvailableException>(() => WorkerRoutines.ProcessId().WaitAsync(Timeouts.Default));

        Assert.IsTrue(error.Failures.All(f => f.Contains("admission policy failed (InvalidOperationException: policy bug)", StringComparison.Ordinal)), string.Join(" | ", error.Failures));
        Assert.IsEmpty(pool.Workers, "Workers at fault leave the pool's view.");
        Assert.IsFalse(workers.Any(WorkerFailureTests.HasExited), "A failing policy must not crash the worker.");
    }

    [TestMethod]
    public async Task StatusAndStop_IdleWorkerReportsIdleTime_StopDrainsThenCancels()
    {
        await using var pool = new WorkerPool(spawn: 1);
        await pool.WaitForWorkersAsync().WaitAsync(Timeouts.Default);
        WorkerInfo worker = pool.Workers[0];
        await WorkerRoutines.ProcessId().WaitAsync(Timeouts.Default);
        await Task.Delay(400);

        WorkerStatus idle = await pool.GetStatusAsync(worker).WaitAsync(Timeouts.Default);
        Assert.AreEqual(0, idle.InFlight);
        Assert.IsGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(300), idle.IdleFor);

        string marker = Path.Combine(Path.GetTempPath(), $"wool-stop-{Guid.NewGuid():N}");
        Task<int> running = WorkerRoutines.WaitWithMarkers(marker, 60_000, CancellationToken.None);
        await WorkerPoolTests.WaitForFileAsync(marker + ".started");
        WorkerStatus busy = await pool.GetStatusAsync(worker).WaitAsync(Timeouts.Default);
        Assert.AreEqual((1, TimeSpan.Zero, false), (busy.InFlight, busy.IdleFor, busy.Stopping));

        await pool.StopWorkerAsync(worker, TimeSpan.FromMilliseconds(500)).WaitAsync(Timeouts.Default);

        await Assert.ThrowsAsync<OperationCanceledException>(() => running.WaitAsync(Timeouts.Default));
        Assert.IsTrue(File.Exists(marker + ".finally"));
        await Assert.ThrowsExactlyAsync<NoWorkersAvailableException>(() => WorkerRoutines.ProcessId().WaitAsync(Timeouts.Default));
        File.Delete(marker + ".started");
        File.Delete(marker + ".finally");
    }
}
