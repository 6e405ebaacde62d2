namespace Wool;

/// <summary>Why a connection between a caller and a worker was refused.</summary>
public enum AuthenticationFailure
{
    /// <summary>The handshake failed for another reason (for example the worker does not speak TLS at all).</summary>
    HandshakeFailed,

    /// <summary>The worker's certificate was not issued by an authority the caller trusts.</summary>
    UntrustedAuthority,

    /// <summary>The worker's certificate does not name the expected worker identity (subject alternative name).</summary>
    IdentityMismatch,

    /// <summary>The worker's certificate has expired (or is not valid yet).</summary>
    Expired,

    /// <summary>The worker requires mutual TLS and the caller presented no certificate, or one it does not trust.</summary>
    ClientCertificateRejected,

    /// <summary>
    /// The worker serves without TLS and requires its access token (a local worker: the pool's
    /// own, or its discovery namespace's), and the caller did not present it.
    /// </summary>
    AccessTokenRefused,

    /// <summary>
    /// The certificate was not issued for this role: a worker's must carry the extended key usage
    /// <c>serverAuth</c>, a caller's <c>clientAuth</c>. A caller's certificate cannot pass for a worker's.
    /// </summary>
    WrongRole,
}
