using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Wool.Admission;

namespace Wool.Tests.Integration.Workers;

/// <summary>
/// A pool keeps the workers it spawns at their number: a worker killed outright is replaced, the
/// survivors learn of it as a peer, and one that keeps dying young is retried with growing delays,
/// never in a hot loop. A worker stopped on purpose is not replaced.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class SupervisionTests
{
    [TestMethod]
    public async Task WorkerKilled_IsReplaced_AndNestedCallsReachTheNewOne()
    {
        await using var pool = new WorkerPool(spawn: 2);
        await pool.WaitForWorkersAsync().WaitAsync(Timeouts.Default);
        int victim = pool.Workers[0].ProcessId;

        Process.GetProcessById(victim).Kill();

        await Eventually.WaitUntilAsync(() => pool.Workers.Count == 2 && pool.Workers.All(w => w.ProcessId != victim));
        int[] workers = [.. pool.Workers.Select(w => w.ProcessId)];
        (int value, int[] processes) = await WorkerRoutines.Fibonacci(10).WaitAsync(Timeouts.Default);
        Assert.AreEqual(55, value);
        CollectionAssert.IsSubsetOf(processes.Distinct().ToArray(), workers);
        CollectionAssert.AreEquivalent(workers, processes.Distinct().ToArray(), "Both workers, the new one included, take nested calls.");
    }

    [TestMethod]
    public async Task EveryWorkerKilled_PoolRecoversToItsSize()
    {
        await using var pool = new WorkerPool(spawn: 2);
        await pool.WaitForWorkersAsync().WaitAsync(Timeouts.Default);
        int[] before = [.. pool.Workers.Select(w => w.ProcessId)];

        foreach (int worker in before)
        {
            Process.GetProcessById(worker).Kill();
        }

        await Eventually.WaitUntilAsync(() => pool.Workers.Count == 2 && !pool.Workers.Any(w => before.Contains(w.ProcessId)));
        int answer = await WorkerRoutines.ProcessId().WaitAsync(Timeouts.Default);
        CollectionAssert.Contains(pool.Workers.Select(w => w.ProcessId).ToArray(), answer);
    }

    [TestMethod]
    public async Task WorkerThatDiesAtStart_IsRetriedWithGrowingDelays_AndReplacedOnceItCanStart()
    {
        string marker = Path.Combine(Path.GetTempPath(), $"wool-crash-{Guid.NewGuid():N}");
        Environment.SetEnvironmentVariable(CrashingAtStart.MarkerVariable, marker);
        var log = new CapturingLoggerProvider();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(log));
        try
        {
            await using var pool = new WorkerPool(spawn: 1, options: WorkerPoolOptions.Default with { AdmissionPolicy = typeof(CrashingAtStart), LoggerFactory = loggers });
            await pool.WaitForWorkersAsync().WaitAsync(Timeouts.Default);
            int first = pool.Workers[0].ProcessId;
            File.WriteAllText(marker, "crash");

            Process.GetProcessById(first).Kill();
            await Task.Delay(TimeSpan.FromSeconds(6));
            double[] delays = [.. Delays(log)];

            Assert.IsGreaterThanOrEqualTo(3, delays.Length, string.Join(", ", delays));
            Assert.IsLessThanOrEqualTo(6, delays.Length, $"Retried in a hot loop: {string.Join(", ", delays)}");
            for (int i = 1; i < delays.Length; i++)
            {
                Assert.IsGreaterThan(delays[i - 1], delays[i], $"Delays must grow: {string.Join(", ", delays)}");
            }

            File.Delete(marker);
            await Eventually.WaitUntilAsync(() => pool.Workers.Count == 1);
            Assert.AreEqual(pool.Workers[0].ProcessId, await WorkerRoutines.ProcessId().WaitAsync(Timeouts.Default));
        }
        finally
        {
            Environment.SetEnvironmentVariable(CrashingAtStart.MarkerVariable, null);
            File.Delete(marker);
        }
    }

    [TestMethod]
    public async Task WorkerStoppedOnPurpose_IsNotReplaced()
    {
        await using var pool = new WorkerPool(spawn: 2);
        await pool.WaitForWorkersAsync().WaitAsync(Timeouts.Default);
        WorkerInfo retired = pool.Workers[0];

        await pool.StopWorkerAsync(retired, TimeSpan.FromSeconds(1)).WaitAsync(Timeouts.Default);
        await Task.Delay(WorkerSupervisorDelay * 3);

        Assert.HasCount(1, pool.Workers);
        Assert.AreNotEqual(retired.Id, pool.Workers[0].Id);
    }

    private static readonly TimeSpan WorkerSupervisorDelay = Wool.Workers.Pool.WorkerSupervisor.FirstDelay;

    private static IEnumerable<double> Delays(CapturingLoggerProvider log)
        => log.Messages.Where(m => m.Contains("starting another in its place in", StringComparison.Ordinal))
            .Select(m => double.Parse(m.Split("starting another in its place in ")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture));
}

/// <summary>An admission policy whose worker cannot start while a marker file exists: a worker that crashes at start.</summary>
public sealed class CrashingAtStart : IAdmissionPolicy
{
    public const string MarkerVariable = "WOOL_TEST_CRASH_AT_START";

    public CrashingAtStart()
    {
        if (Environment.GetEnvironmentVariable(MarkerVariable) is { } marker && File.Exists(marker))
        {
            Environment.Exit(3);
        }
    }

    public bool Admit(AdmissionRequest request) => true;
}
