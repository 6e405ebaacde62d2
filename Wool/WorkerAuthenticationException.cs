namespace Wool;

/// <summary>
/// A pool could not authenticate a worker over TLS, or the worker refused the pool's certificate
/// or access token.
/// The pool skips that worker (it is never used unauthenticated); no call ran there.
/// <see cref="Failure"/> says which check failed.
/// </summary>
/// <remarks>
/// A call meets this exception as the <see cref="Exception.InnerException"/> of a
/// <see cref="NoWorkersAvailableException"/> when no other worker could take it, or directly from
/// <see cref="WorkerPool.WaitForWorkersAsync"/> when a pool's own workers fail the handshake.
/// </remarks>
public sealed class WorkerAuthenticationException : WoolException
{
    /// <summary>Creates the exception.</summary>
    public WorkerAuthenticationException(string message, AuthenticationFailure failure, Exception? innerException = null)
        : base(message, innerException)
    {
        Failure = failure;
    }

    /// <summary>Which check failed.</summary>
    public AuthenticationFailure Failure { get; }
}
