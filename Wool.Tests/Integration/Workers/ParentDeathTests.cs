using System.Diagnostics;

namespace Wool.Tests.Integration.Workers;

/// <summary>Workers never outlive the process that spawned them, even when it is killed outright.</summary>
[TestClass]
[DoNotParallelize]
public sealed class ParentDeathTests
{
    [TestMethod]
    public async Task ParentProcess_KilledWithSigkill_WorkersExitWithinFiveSeconds()
        => await KillParentAndWatchWorkersAsync(stopOneWorker: false);

    [TestMethod]
    public async Task ParentProcess_KilledWhileAWorkerIsStopped_StoppedWorkerExitsToo()
        => await KillParentAndWatchWorkersAsync(stopOneWorker: true);

    /// <summary>
    /// Starts a parent with two workers, optionally freezes one (SIGSTOP: it cannot read its stdin
    /// or run any code), kills the parent with SIGKILL, and expects both workers gone within 5 s.
    /// </summary>
    private static async Task KillParentAndWatchWorkersAsync(bool stopOneWorker)
    {
        string parentAssembly = Path.Combine(AppContext.BaseDirectory, "Wool.Tests.Parent.dll");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(parentAssembly);
        using var parent = Process.Start(start)!;
        int[] workers;
        try
        {
            string line = (await parent.StandardOutput.ReadLineAsync().WaitAsync(Timeouts.Default))!;
            workers = [.. line.Split(',').Select(int.Parse)];
            Assert.HasCount(2, workers);
            Assert.IsTrue(workers.All(w => !WorkerFailureTests.HasExited(w)));
            if (stopOneWorker)
            {
                Signal("STOP", workers[0]);
            }
        }
        finally
        {
            parent.Kill(); // SIGKILL: the parent gets no chance to stop its workers.
        }

        await parent.WaitForExitAsync().WaitAsync(Timeouts.Default);
        var watch = Stopwatch.StartNew();
        while (!workers.All(WorkerFailureTests.HasExited) && watch.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(50);
        }

        int[] survivors = [.. workers.Where(w => !WorkerFailureTests.HasExited(w))];
        foreach (int survivor in survivors)
        {
            // Reaped here so that a failure leaves nothing behind.
            Signal("KILL", survivor);
        }

        Assert.IsEmpty(survivors, "Workers outlived their killed parent.");
        Assert.IsLessThan(5_000, watch.ElapsedMilliseconds, "Workers must exit within 5 seconds of their parent's death.");
    }

    private static void Signal(string signal, int processId)
    {
        using var kill = Process.Start("kill", $"-{signal} {processId}");
        kill.WaitForExit(Timeouts.Default);
        Assert.AreEqual(0, kill.ExitCode, $"kill -{signal} {processId} failed.");
    }
}
