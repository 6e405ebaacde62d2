namespace Wool.Tests.Routines;

/// <summary>
/// Runs a scenario against the fixture compiled unoptimized and optimized (async state machines
/// are classes in one and structs in the other), each inside a fresh <see cref="InProcessPool"/>,
/// and checks the result and that the calls went through the dispatcher.
/// </summary>
internal static class BothBuilds
{
    public static async Task AssertAsync<T>(T expected, Func<Task<T>> unoptimized, Func<Task<T>> optimized, int expectedCalls = 1)
    {
        foreach (var (build, scenario) in new[] { ("unoptimized", unoptimized), ("optimized", optimized) })
        {
            await using var pool = new InProcessPool();

            T actual = await scenario().WaitAsync(Timeouts.Default);

            Assert.AreEqual(expected, actual, $"Result in the {build} build.");
            Assert.AreEqual(expectedCalls, pool.CallCount, $"Calls dispatched in the {build} build.");
        }
    }

    public static async Task AssertThrowsAsync<TException>(Func<Task> unoptimized, Func<Task> optimized, Action<TException> check)
        where TException : Exception
    {
        foreach (var (build, scenario) in new[] { ("unoptimized", unoptimized), ("optimized", optimized) })
        {
            await using var pool = new InProcessPool();

            var exception = await Assert.ThrowsExactlyAsync<TException>(() => scenario().WaitAsync(Timeouts.Default), $"The {build} build.");

            check(exception);
            Assert.AreEqual(1, pool.CallCount, $"Calls dispatched in the {build} build.");
        }
    }

    public static async Task<string> JoinAsync<T>(IAsyncEnumerable<T> items)
    {
        var all = new List<T>();
        using var timeout = new CancellationTokenSource(Timeouts.Default);
        await foreach (T item in items.WithCancellation(timeout.Token))
        {
            all.Add(item);
        }

        return string.Join(",", all);
    }
}
