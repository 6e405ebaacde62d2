namespace Wool;

/// <summary>
/// A routine could not be invoked as requested: no pool was in scope, the pool was disposed, or
/// the call does not match the routine (a different build). The routine did not run.
/// </summary>
public sealed class RoutineInvocationException : WoolException
{
    /// <summary>Creates the exception.</summary>
    public RoutineInvocationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public RoutineInvocationException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
