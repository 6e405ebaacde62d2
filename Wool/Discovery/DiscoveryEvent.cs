using Wool.Workers;

namespace Wool.Discovery;

/// <summary>A change in the set of workers a discovery backend sees.</summary>
public sealed record DiscoveryEvent(DiscoveryEventKind Kind, WorkerInfo Worker);
