namespace Wool.Workers;

/// <summary>What a pool knows of one of its workers. Immutable.</summary>
/// <param name="Id">A unique id for the worker, stable for its lifetime.</param>
/// <param name="Address">Where the worker serves (for example <c>http://127.0.0.1:41234</c>).</param>
/// <param name="ProcessId">The worker's operating-system process id.</param>
public sealed record WorkerInfo(string Id, Uri Address, int ProcessId)
{
    /// <inheritdoc />
    public override string ToString() => $"worker {ProcessId} at {Address}";
}
