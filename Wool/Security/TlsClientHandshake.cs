using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Wool.Workers;

namespace Wool.Security;

/// <summary>
/// A caller's side of the TLS handshake with one worker: it presents the caller's certificate
/// (mutual TLS), verifies the worker's with <see cref="CertificateVerifier"/>, and remembers what
/// it found, so that a failed connection can say which check failed instead of "SSL error".
/// </summary>
internal sealed class TlsClientHandshake
{
    private readonly CredentialSet _credentials;
    private volatile CertificateVerifier.Rejection? _rejection;
    private volatile bool _workerVerified;

    public TlsClientHandshake(CredentialSet credentials)
    {
        _credentials = credentials;
        Options = new SslClientAuthenticationOptions
        {
            // Sent as SNI; identity is checked in the callback, never against the dialled address.
            TargetHost = credentials.WorkerIdentity,
            ClientCertificateContext = credentials.Mutual ? credentials.CertificateContext : null,
            RemoteCertificateValidationCallback = VerifyWorker,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
    }

    public SslClientAuthenticationOptions Options { get; }

    /// <summary>
    /// The authentication failure behind <paramref name="failure"/>, a connection that ended before
    /// the worker answered; null when the handshake played no part in it.
    /// </summary>
    public WorkerAuthenticationException? Explain(Exception failure, WorkerInfo worker)
    {
        if (_rejection is { } rejected)
        {
            return new WorkerAuthenticationException($"Refused {worker}: {rejected.Reason}. {Remedy(rejected.Failure)}", rejected.Failure, failure);
        }

        if (_workerVerified)
        {
            // The worker passed our checks and then closed the connection before answering: with
            // TLS 1.3 that is how a server refuses the client's certificate.
            return new WorkerAuthenticationException(
                _credentials.Mutual && _credentials.Certificate is { } mine
                    ? $"{worker} refused this pool's certificate '{mine.Subject}' (it requires mutual TLS and does not trust it). Give the pool a certificate issued by the authority the worker trusts."
                    : $"{worker} requires mutual TLS and this pool presents no certificate. Create the pool's WorkerCredentials with a certificate and key from the worker's authority, and mutual: true.",
                AuthenticationFailure.ClientCertificateRejected,
                failure);
        }

        if (failure.Causes().Any(e => e is AuthenticationException))
        {
            return new WorkerAuthenticationException(
                $"{worker} did not complete a TLS handshake ({failure.Causes().Last().Message}). It may be serving without TLS: start it with credentials (--tls-authority, --tls-certificate, --tls-key).",
                AuthenticationFailure.HandshakeFailed,
                failure);
        }

        return null;
    }

    private static string Remedy(AuthenticationFailure failure) => failure switch
    {
        AuthenticationFailure.UntrustedAuthority => "Give the pool the authority that issued the worker's certificate, or give the worker a certificate from the pool's authority.",
        AuthenticationFailure.IdentityMismatch => "Issue the worker a certificate with the expected name as a DNS subject alternative name, or change the pool's workerIdentity.",
        AuthenticationFailure.Expired => "Renew the worker's certificate; a worker re-reads rotated certificate files without a restart.",
        AuthenticationFailure.WrongRole => "Give the worker a worker certificate (extended key usage serverAuth, naming the worker identity); caller certificates carry clientAuth only.",
        _ => "Check the worker's certificate.",
    };

    private bool VerifyWorker(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        // The platform's verdict (machine store, dialled host name) is deliberately ignored: Wool's trust is its own authorities and identity.
        if (certificate is null)
        {
            _rejection = new CertificateVerifier.Rejection(AuthenticationFailure.HandshakeFailed, "it presented no certificate");
            return false;
        }

        var presented = certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        _rejection = CertificateVerifier.Verify(presented, chain, _credentials.Authorities, _credentials.WorkerIdentity is { } identity ? [identity] : [], CertificateVerifier.Role.Worker);
        _workerVerified = _rejection is null;
        return _workerVerified;
    }
}
