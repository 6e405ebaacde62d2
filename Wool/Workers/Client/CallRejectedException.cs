namespace Wool.Workers.Client;

/// <summary>
/// A worker refused a call before running it (it is stopping, busy, past the call's dispatch
/// deadline, speaks another protocol version, or could not be reached). The routine did not run
/// there. Never reaches user code: the pool classifies it (<c>DispatchFailures</c>) and tries the
/// next worker, and when none accepts, callers get <see cref="NoWorkersAvailableException"/>
/// listing each refusal.
/// </summary>
internal sealed class CallRejectedException : WoolException
{
    public CallRejectedException(string message, bool transient, Exception? innerException = null)
        : base(message, innerException)
    {
        Transient = transient;
    }

    /// <summary>Whether another worker may accept the call.</summary>
    public bool Transient { get; }
}
