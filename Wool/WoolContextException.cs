namespace Wool;

/// <summary>
/// A context variable could not be used: it was read while unset and has no default, its name is
/// already taken by another declaration, or (in strict mode) its value could not be carried.
/// </summary>
public sealed class WoolContextException : WoolException
{
    /// <summary>Creates the exception.</summary>
    public WoolContextException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
