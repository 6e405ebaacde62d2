namespace Wool;

/// <summary>
/// The version of the worker protocol this build speaks. It lives with the public model because
/// <see cref="WorkerInfo"/> announces it; the protocol (<c>Workers/Protocol</c>) checks it on every
/// connection and call.
/// </summary>
internal static class WireVersion
{
    /// <summary>Bumped on any incompatible change of the frames or of the payload encoding.</summary>
    public const uint Current = 5;
}
