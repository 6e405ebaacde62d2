namespace Wool.Workers;

/// <summary>
/// A worker refused a call before running it (it is stopping, or it speaks another protocol
/// version). The routine did not run there. A pool tries the next worker when the refusal is
/// <see cref="Transient"/>; this exception reaches the caller when no worker accepted.
/// </summary>
public sealed class CallRejectedException : WoolException
{
    /// <summary>Creates the exception.</summary>
    public CallRejectedException(string message, bool transient)
        : this(message, transient, null)
    {
    }

    /// <summary>Creates the exception with the failure that made the worker unusable.</summary>
    public CallRejectedException(string message, bool transient, Exception? innerException)
        : base(message, innerException)
    {
        Transient = transient;
    }

    /// <summary>Whether another worker may accept the call.</summary>
    public bool Transient { get; }
}
