using Wool.Discovery;

namespace Wool.Tests.Integration.Discovery;

/// <summary>On SIGTERM a durable worker leaves discovery first, then lets its calls in flight finish.</summary>
[TestClass]
public sealed class DrainTests
{
    [TestMethod]
    public async Task Worker_OnSigterm_LeavesDiscoveryWhileItsCallInFlightStillRuns()
    {
        string ns = $"drain-{Guid.NewGuid():N}";
        await using var worker = await DurableWorker.StartAsync("--discovery", "local", "--namespace", ns, "--grace-period", "20");
        var discovery = new LocalDiscovery(ns);
        await using var pool = new WorkerPool(discovery: discovery);
        Assert.AreEqual(worker.ProcessId, await DiscoveryRoutines.Where().WaitAsync(Timeouts.Default), "The pool is connected before the call that will be in flight.");
        Task<int> held = DiscoveryRoutines.Hold(4000);
        using var timeout = new CancellationTokenSource(Timeouts.Default);
        await using var events = discovery.SubscribeAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);
        Assert.IsTrue(await events.MoveNextAsync());
        Assert.AreEqual(DiscoveryEventKind.Added, events.Current.Kind);
        await Task.Delay(300);

        using (var term = System.Diagnostics.Process.Start("kill", $"-TERM {worker.ProcessId}"))
        {
            await term.WaitForExitAsync().WaitAsync(Timeouts.Default);
        }

        Assert.IsTrue(await events.MoveNextAsync());
        Assert.AreEqual(DiscoveryEventKind.Dropped, events.Current.Kind);
        Assert.IsFalse(held.IsCompleted, $"The worker left discovery while its call was still running ({held.Status}: {held.Exception?.InnerException}).");
        Assert.AreEqual(worker.ProcessId, await held.WaitAsync(Timeouts.Default), "The call in flight finishes on the worker that left.");
    }
}
