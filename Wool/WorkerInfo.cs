namespace Wool;

/// <summary>What a pool knows of one worker, as discovery announces it. Immutable.</summary>
/// <param name="Id">A unique id for the worker, stable for its lifetime.</param>
/// <param name="Address">Where the worker serves (for example <c>http://127.0.0.1:41234</c>).</param>
/// <param name="ProcessId">The worker's operating-system process id.</param>
public sealed record WorkerInfo(string Id, Uri Address, int ProcessId)
{
    /// <summary>The Wool protocol version the worker speaks; a pool admits only its own.</summary>
    public uint ProtocolVersion { get; init; } = WireVersion.Current;

    /// <summary>Labels a pool can select workers by (a pool with tags uses only workers sharing one).</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Whether the worker requires TLS.</summary>
    public bool Secure { get; init; }

    /// <summary>Transport options the worker announces (free-form, for custom backends).</summary>
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();

    /// <inheritdoc />
    public override string ToString() => $"worker {ProcessId} at {Address}";
}
