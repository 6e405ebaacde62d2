using System.Runtime.InteropServices;

namespace Wool.Workers.Host;

/// <summary>
/// Ends a pool-spawned worker when the pool's process is gone, however it died, in two ways:
/// the kernel kills the worker when its parent dies (<c>PR_SET_PDEATHSIG</c>, Linux), which works
/// even while the worker is stopped (SIGSTOP) or hung; and the worker watches its stdin, whose
/// write end the pool holds, so it reads end-of-file when the pool's process is gone (every OS).
/// </summary>
internal static partial class ParentWatch
{
    private const int PrSetPdeathsig = 1;
    private const int Sigkill = 9;

    /// <summary>
    /// Asks the kernel to kill this process when its parent dies. Returns false when the parent is
    /// already gone (it died before the request was made): the caller must exit.
    /// </summary>
    /// <param name="parentProcessId">The pool's process id, as the pool passed it; null to skip the check.</param>
    public static bool BindToParent(int? parentProcessId)
    {
        if (!OperatingSystem.IsLinux())
        {
            return true;
        }

        if (Prctl(PrSetPdeathsig, Sigkill, 0, 0, 0) != 0)
        {
            // Unsupported here (a sandbox may refuse it): the stdin watch still ends the worker.
            return true;
        }

        return parentProcessId is not { } expected || GetParentProcessId() == expected;
    }

    /// <summary>
    /// Reads one line the pool wrote to this worker's stdin (its tokens come first), byte by byte so
    /// that nothing after it is consumed.
    /// </summary>
    /// <exception cref="EndOfStreamException">The pool closed stdin first.</exception>
    public static string ReadLine(Stream stdin)
    {
        var line = new List<byte>(64);
        int next;
        while ((next = stdin.ReadByte()) is not ('\n' or -1))
        {
            if (line.Count == 256)
            {
                throw new InvalidDataException("The pool's line on stdin is longer than a token.");
            }

            line.Add((byte)next);
        }

        return next == -1 ? throw new EndOfStreamException("The pool closed this worker's stdin before sending its tokens.") : System.Text.Encoding.ASCII.GetString([.. line]);
    }

    /// <summary>Stops the worker when its stdin reaches end-of-file (the pool's process is gone).</summary>
    public static void Start(WorkerRuntime runtime, Stream stdin)
    {
        var thread = new Thread(() =>
        {
            try
            {
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

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    private static partial int Prctl(int option, ulong arg2, ulong arg3, ulong arg4, ulong arg5);

    [LibraryImport("libc", EntryPoint = "getppid")]
    private static partial int GetParentProcessId();
}
