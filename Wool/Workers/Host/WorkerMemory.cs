namespace Wool.Workers.Host;

/// <summary>
/// Gives a worker's memory back to the operating system after large messages: once no large call
/// or reply has passed for a second, a compacting collection returns the freed buffers (the large
/// object heap keeps them otherwise, and the worker's resident size stays at its peak). Small calls
/// never trigger it. Thread-safe.
/// </summary>
internal static class WorkerMemory
{
    /// <summary>A message this large is worth a collection once the worker is quiet.</summary>
    private const int LargeBytes = 1024 * 1024;

    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1);
    private static readonly Timer s_collect = new(_ => GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true));

    /// <summary>A message of <paramref name="bytes"/> went through this worker.</summary>
    public static void Moved(int bytes)
    {
        if (bytes >= LargeBytes)
        {
            // Each large message moves the collection back: it runs once they stop.
            s_collect.Change(Quiet, Timeout.InfiniteTimeSpan);
        }
    }
}
