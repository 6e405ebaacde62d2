namespace Wool.Discovery;

/// <summary>What happened to a worker.</summary>
public enum DiscoveryEventKind
{
    /// <summary>A worker appeared.</summary>
    Added,

    /// <summary>A known worker announced new metadata.</summary>
    Updated,

    /// <summary>A worker stopped, or was found dead.</summary>
    Dropped,
}
