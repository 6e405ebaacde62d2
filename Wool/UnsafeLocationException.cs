namespace Wool;

/// <summary>
/// A folder or file in which Wool keeps a secret or a worker's socket could be read or replaced
/// by another user: it is not owned by this user, is open to others, or is a symbolic link.
/// Nothing was read from it or written to it. The message names the path and what to do.
/// </summary>
public sealed class UnsafeLocationException : WoolException
{
    /// <summary>Creates the exception.</summary>
    public UnsafeLocationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the failure that revealed the problem.</summary>
    public UnsafeLocationException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
