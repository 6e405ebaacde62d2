namespace Wool;

/// <summary>
/// A worker could not find the routine a call named: its assembly is missing, is a different
/// build than the caller's, or was not woven. The call was not executed.
/// </summary>
public sealed class RoutineNotFoundException : WoolException
{
    /// <summary>Creates the exception.</summary>
    public RoutineNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public RoutineNotFoundException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
