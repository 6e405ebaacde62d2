namespace Wool.Workers.Host;

/// <summary>
/// Ends a pool-spawned worker when the pool's process is gone, however it died (even SIGKILL):
/// the pool holds the write end of the worker's stdin, which the kernel closes with the pool's
/// process, so the worker reads end-of-file.
/// </summary>
internal static class ParentWatch
{
    public static void Start(WorkerRuntime runtime)
    {
        var thread = new Thread(() =>
        {
            try
            {
                using var stdin = Console.OpenStandardInput();
                var buffer = new byte[64];
                while (stdin.Read(buffer, 0, buffer.Length) > 0)
                {
                }
            }
            catch (IOException)
            {
            }

            runtime.ParentGone();
        })
        {
            IsBackground = true,
            Name = "Wool parent watch",
        };
        thread.Start();
    }
}
