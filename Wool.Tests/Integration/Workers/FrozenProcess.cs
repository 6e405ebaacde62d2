using System.Diagnostics;

namespace Wool.Tests.Integration.Workers;

/// <summary>
/// A worker that stops answering without closing anything (SIGSTOP), as a hung or partitioned
/// process does; disposing the scope lets it run again (SIGCONT).
/// </summary>
internal sealed class FrozenProcess : IDisposable
{
    private readonly int _processId;

    private FrozenProcess(int processId)
    {
        _processId = processId;
        Signal("STOP");
    }

    public static FrozenProcess Freeze(int processId) => new(processId);

    public void Dispose() => Signal("CONT");

    private void Signal(string signal)
    {
        using var kill = Process.Start("kill", $"-{signal} {_processId}")!;
        kill.WaitForExit();
    }
}
