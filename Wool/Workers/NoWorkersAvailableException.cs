namespace Wool.Workers;

/// <summary>
/// No worker of the pool accepted the call: none is running, or every one refused it. The
/// routine did not run. <see cref="Failures"/> says what each worker answered.
/// </summary>
public sealed class NoWorkersAvailableException : WoolException
{
    /// <summary>Creates the exception.</summary>
    public NoWorkersAvailableException(string message, IReadOnlyList<string> failures)
        : base(failures.Count == 0 ? message : message + " " + string.Join(" ", failures.Select(f => $"[{f}]")))
    {
        Failures = failures;
    }

    /// <summary>One line per worker that was tried: which worker, and what it answered.</summary>
    public IReadOnlyList<string> Failures { get; }
}
