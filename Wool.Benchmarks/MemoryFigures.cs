namespace Wool.Benchmarks;

/// <summary>
/// A worker's resident memory (<c>--memory</c>): idle, right after a routine that allocated and
/// touched 1 GiB (then dropped it), and once the worker has been idle for a few seconds.
/// </summary>
internal static class MemoryFigures
{
    private const int Mebibytes = 1024;

    public static async Task<Figure[]> RunAsync()
    {
        await using var pool = new WorkerPool(spawn: 1);
        await pool.WaitForWorkersAsync();
        int worker = pool.Workers[0].ProcessId;
        Measure.Check(await Allocate(1) == 1, "warm-up");
        await Task.Delay(TimeSpan.FromSeconds(3));
        long idle = Figures.ResidentBytes(worker);

        Measure.Check(await Allocate(Mebibytes) == Mebibytes, "1 GiB call");
        long after = Figures.ResidentBytes(worker);
        await Task.Delay(TimeSpan.FromSeconds(5));
        long settled = Figures.ResidentBytes(worker);
        return
        [
            new Figure("worker RSS, idle", idle / 1e6, "MB"),
            new Figure("worker RSS, right after a call that allocated 1 GiB", after / 1e6, "MB"),
            new Figure("worker RSS, 5 s after that call", settled / 1e6, "MB"),
        ];
    }

    /// <summary>Allocates and touches <paramref name="mebibytes"/> MiB in 1 MiB arrays, holds them all, then lets them go.</summary>
    [Routine]
    private static async Task<int> Allocate(int mebibytes)
    {
        var held = new List<byte[]>(mebibytes);
        for (int i = 0; i < mebibytes; i++)
        {
            byte[] block = new byte[1024 * 1024];
            Array.Fill(block, (byte)i);
            held.Add(block);
        }

        await Task.Yield();
        return held.Count;
    }
}
