namespace Wool.Tests;

/// <summary>Waits for a condition another thread makes true, polling, within <see cref="Timeouts.Default"/>.</summary>
internal static class Eventually
{
    public static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Timeouts.Default);
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    /// <summary>Polls an asynchronous condition; fails naming <paramref name="what"/> when it is still false at the timeout.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        using var timeout = new CancellationTokenSource(Timeouts.Default);
        while (!await condition().WaitAsync(timeout.Token).ConfigureAwait(false))
        {
            if (timeout.IsCancellationRequested)
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }

            await Task.Delay(10, CancellationToken.None);
        }
    }
}
