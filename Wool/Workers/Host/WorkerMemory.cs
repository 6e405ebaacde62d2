namespace Wool.Workers.Host;

/// <summary>
/// Gives a worker's memory back to the operating system. The garbage collector keeps the memory a
/// peak needed committed for reuse, so a worker that once ran a large call (a large message, or a
/// routine that allocated a gigabyte) would otherwise stay at its peak resident size for good.
/// Two triggers, each ending in one compacting, decommitting collection: no large message for a
/// second (<see cref="Moved"/>), and the worker idle for a second with its heap grown by
/// <see cref="Growth"/> since it was last trimmed (<see cref="TrimWhenIdle"/>). Small calls, and a
/// busy worker, never trigger a collection. Thread-safe.
/// </summary>
internal static class WorkerMemory
{
    /// <summary>A message this large is worth a collection once the worker is quiet.</summary>
    private const int LargeBytes = 1024 * 1024;

    /// <summary>How much the heap must have grown, since the last trim, for an idle worker to trim it.</summary>
    public const long Growth = 64L * 1024 * 1024;

    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1);
    private static readonly Timer s_collect = new(_ => Trim());
    private static long s_trimmedAt;

    /// <summary>A message of <paramref name="bytes"/> went through this worker.</summary>
    public static void Moved(int bytes)
    {
        if (bytes >= LargeBytes)
        {
            // Each large message moves the collection back: it runs once they stop.
            s_collect.Change(Quiet, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>
    /// Checks every second whether the worker is idle with a heap grown by <see cref="Growth"/>
    /// since the last trim, and trims it then: once per peak, not once per idle second.
    /// </summary>
    /// <param name="status">The worker's status (calls in flight, and for how long it has been idle).</param>
    /// <returns>What stops the checks.</returns>
    public static IDisposable TrimWhenIdle(Func<WorkerStatus> status)
        => new Timer(_ => TrimIfIdle(status()), null, Quiet, Quiet);

    private static void TrimIfIdle(WorkerStatus status)
    {
        if (status.InFlight > 0 || status.IdleFor < Quiet)
        {
            return;
        }

        // What the heap holds now, or what it had committed at its last collection (a routine's
        // gigabyte may have been collected already, its memory still committed).
        long heap = Math.Max(GC.GetTotalMemory(forceFullCollection: false), GC.GetGCMemoryInfo().TotalCommittedBytes);
        if (heap >= Volatile.Read(ref s_trimmedAt) + Growth)
        {
            Trim();
        }
    }

    private static void Trim()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        Volatile.Write(ref s_trimmedAt, GC.GetGCMemoryInfo().TotalCommittedBytes);
    }
}
