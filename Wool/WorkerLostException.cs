namespace Wool;

/// <summary>
/// The connection to the worker running a call was lost before the call completed (the worker
/// process died or the network failed). The call may or may not have run to completion there;
/// Wool never retries it (at-most-once). The pool stops using that worker.
/// </summary>
public sealed class WorkerLostException : WoolException
{
    /// <summary>Creates the exception.</summary>
    public WorkerLostException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
