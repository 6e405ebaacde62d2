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
    public CallRejectedException(string message, bool transient, Exception? innerException = null, Guid? otherBuild = null)
        : base(message, innerException)
    {
        Transient = transient;
        OtherBuild = otherBuild;
    }

    /// <summary>Whether another worker may accept the call.</summary>
    public bool Transient { get; }

    /// <summary>Set when the worker runs another build of the call's assembly: that build's module version id.</summary>
    public Guid? OtherBuild { get; }
}
