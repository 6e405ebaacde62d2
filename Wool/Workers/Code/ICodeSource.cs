namespace Wool.Workers.Code;

/// <summary>Where a worker gets an assembly it lacks: the connection of the call that needs it.</summary>
internal interface ICodeSource
{
    /// <summary>
    /// The file of <paramref name="assembly"/> (a simple name) as build <paramref name="build"/> loads it;
    /// with <paramref name="moduleVersionId"/>, exactly that build of it. The bytes match the hash the
    /// sender gave and are within the worker's limits.
    /// </summary>
    /// <exception cref="CodeShippingException">The sender refused, or sent something else.</exception>
    Task<ShippedFile> FetchAsync(string assembly, Guid? moduleVersionId, Guid build, CancellationToken cancellationToken);
}

/// <summary>A file a caller shipped: its bytes, and whether the caller counts it as one of the application's own assemblies.</summary>
internal sealed record ShippedFile(byte[] Bytes, bool Application);
