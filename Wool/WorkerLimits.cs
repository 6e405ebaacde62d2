namespace Wool;

/// <summary>
/// What one worker gives one caller at most, so that no caller, however it behaves, can grow a
/// worker without bound. Each limit reached is a refusal the caller can act on (a typed exception
/// naming the limit), logged by the worker, which keeps serving everyone else. Immutable: use
/// <c>with</c> to derive. Workers take them on their command line (<c>--max-…</c>); a pool passes
/// its <see cref="WorkerPoolOptions.Limits"/> to the workers it spawns.
/// </summary>
public sealed record WorkerLimits
{
    /// <summary>The defaults: 4 MiB messages (as gRPC), values 500 levels deep, 1,024 calls and 256 streams per connection, 256 connections.</summary>
    public static WorkerLimits Default { get; } = new();

    /// <summary>
    /// The largest serialized call, result or stream item, in bytes (default 4 MiB, gRPC's own
    /// default). A larger one fails that call alone with a <see cref="WoolSerializationException"/>
    /// that names this limit; stream large data instead (an <c>IAsyncEnumerable&lt;T&gt;</c>
    /// argument or result moves one item per message). Pools and the workers they use must agree.
    /// </summary>
    public int MaxMessageSize { get; init; } = 4 * 1024 * 1024;

    /// <summary>
    /// Single-result calls one connection may have running on a worker at once (default 1,024);
    /// more are refused for another worker to take, and fail with <see cref="NoWorkersAvailableException"/> when none can.
    /// </summary>
    public int MaxCallsPerConnection { get; init; } = 1024;

    /// <summary>Streams one connection may have open on a worker at once, pulled or not (default 256); more are refused like calls.</summary>
    public int MaxStreamsPerConnection { get; init; } = 256;

    /// <summary>
    /// How deeply a value's collections may nest (default 500, MessagePack's own bound for untrusted
    /// data), which keeps a hostile payload from exhausting a worker's stack. Objects copied field
    /// by field do not count past the first few dozen levels (a 10,000-node linked list travels), so
    /// this bounds lists of lists and the like. A deeper value fails to send with a
    /// <see cref="WoolSerializationException"/> naming this limit. Pools and the workers they use must agree.
    /// </summary>
    public int MaxValueDepth { get; init; } = 500;

    /// <summary>Connections a worker serves at once, from all callers (default 256); more are closed at once and logged.</summary>
    public int MaxConnections { get; init; } = 256;

    /// <summary>The worker command-line options that give a spawned worker these limits.</summary>
    internal IEnumerable<string> ToWorkerArguments() =>
    [
        "--max-message-size", MaxMessageSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--max-calls-per-connection", MaxCallsPerConnection.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--max-streams-per-connection", MaxStreamsPerConnection.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--max-connections", MaxConnections.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--max-value-depth", MaxValueDepth.ToString(System.Globalization.CultureInfo.InvariantCulture),
    ];

    /// <summary>Checks the limits; returns them.</summary>
    /// <exception cref="ArgumentException">A limit is not positive, a message limit is below 64 KiB or above 1 GiB, or a depth limit below 16 or above 2,000 (deeper nesting would exhaust a thread's stack).</exception>
    internal WorkerLimits Validate(string owner)
    {
        if (MaxMessageSize is < 64 * 1024 or > 1024 * 1024 * 1024)
        {
            throw new ArgumentException($"{owner}: MaxMessageSize must be between 64 KiB and 1 GiB, not {MaxMessageSize} bytes.");
        }

        if (MaxValueDepth is < 16 or > 2_000)
        {
            throw new ArgumentException($"{owner}: MaxValueDepth must be between 16 and 2,000 levels, not {MaxValueDepth}.");
        }

        if (MaxCallsPerConnection <= 0 || MaxStreamsPerConnection <= 0 || MaxConnections <= 0)
        {
            throw new ArgumentException($"{owner}: every limit must be positive (calls per connection {MaxCallsPerConnection}, streams per connection {MaxStreamsPerConnection}, connections {MaxConnections}).");
        }

        return this;
    }
}
