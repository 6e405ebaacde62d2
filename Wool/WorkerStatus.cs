namespace Wool;

/// <summary>A worker's load, as it reports it: how many calls it runs, and for how long it has had none.</summary>
/// <param name="InFlight">Calls running now.</param>
/// <param name="IdleFor">How long the worker has had no call in flight; zero while busy.</param>
/// <param name="Stopping">Whether the worker is draining before it exits.</param>
public sealed record WorkerStatus(int InFlight, TimeSpan IdleFor, bool Stopping);
