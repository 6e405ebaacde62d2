namespace Wool;

/// <summary>
/// The root of every exception that Wool itself raises. A routine's own exceptions are never
/// wrapped in it: they reach the caller with their own type.
/// </summary>
public class WoolException : Exception
{
    /// <summary>Creates the exception with a message that says what happened and what to do.</summary>
    public WoolException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public WoolException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
