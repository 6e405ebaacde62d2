namespace Wool;

/// <summary>
/// A value could not cross the process boundary: it is of a type that cannot be copied
/// (a delegate, stream, socket, handle, task, …), its object graph is cyclic or too deep, or the
/// bytes received could not be decoded. The message names the routine and the parameter,
/// captured variable, result or item concerned.
/// </summary>
/// <remarks>
/// Raised at the caller before any worker is contacted when an argument cannot be serialized,
/// so the routine never runs with a partial or altered value.
/// </remarks>
public sealed class WoolSerializationException : WoolException
{
    /// <summary>Creates the exception.</summary>
    public WoolSerializationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public WoolSerializationException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
