namespace Wool;

/// <summary>
/// No worker of the pool accepted the call: none is running, or every one refused it. The
/// routine did not run. <see cref="Failures"/> says what each worker answered; a worker skipped
/// because it failed TLS authentication is among them, and its
/// <see cref="WorkerAuthenticationException"/> is the <see cref="Exception.InnerException"/>.
/// </summary>
public sealed class NoWorkersAvailableException : WoolException
{
    /// <summary>Creates the exception.</summary>
    public NoWorkersAvailableException(string message, IReadOnlyList<string> failures)
        : this(message, failures, null)
    {
    }

    /// <summary>
    /// Creates the exception with the failure that explains it best, such as the
    /// <see cref="WorkerAuthenticationException"/> of a worker the pool refused to use.
    /// </summary>
    public NoWorkersAvailableException(string message, IReadOnlyList<string> failures, Exception? innerException)
        : base(failures.Count == 0 ? message : message + " " + string.Join(" ", failures.Select(f => $"[{f}]")), innerException)
    {
        Failures = failures;
    }

    /// <summary>One line per worker that was tried: which worker, and what it answered.</summary>
    public IReadOnlyList<string> Failures { get; }
}
