namespace Wool.Tests;

/// <summary>Every await in a test ends in one of these, so a hang fails fast instead of stalling CI.</summary>
internal static class Timeouts
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(30);
}
