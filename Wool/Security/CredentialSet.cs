using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Wool.Security;

/// <summary>
/// One loaded generation of <see cref="WorkerCredentials"/>: the trusted authorities, this side's
/// certificate with its key (and the intermediates it sends along), and the rules. Immutable;
/// a rotation loads a new one.
/// </summary>
internal sealed class CredentialSet
{
    private CredentialSet(X509Certificate2Collection authorities, X509Certificate2? certificate, SslStreamCertificateContext? context, bool mutual, string? workerIdentity, IReadOnlyList<string> callerIdentities)
    {
        // Peers call each other with their worker certificates, so a worker identity is always an allowed caller.
        CallerIdentities = callerIdentities.Count == 0 || workerIdentity is null ? callerIdentities : [.. callerIdentities.Append(workerIdentity).Distinct(StringComparer.OrdinalIgnoreCase)];
        Authorities = authorities;
        Certificate = certificate;
        CertificateContext = context;
        Mutual = mutual;
        WorkerIdentity = workerIdentity;
        Fingerprint = string.Join(",", authorities.Cast<X509Certificate2>().Append(certificate).OfType<X509Certificate2>().Select(c => c.GetCertHashString(HashAlgorithmName.SHA256)));
    }

    public X509Certificate2Collection Authorities { get; }

    /// <summary>This side's certificate, with its private key; null for a one-way TLS caller that only verifies workers.</summary>
    public X509Certificate2? Certificate { get; }

    /// <summary>The certificate and its intermediates, as TLS sends them.</summary>
    public SslStreamCertificateContext? CertificateContext { get; }

    public bool Mutual { get; }

    public string? WorkerIdentity { get; }

    /// <summary>With mutual TLS: the names a caller's certificate must carry one of (the worker identity included); empty for any caller of the authority.</summary>
    public IReadOnlyList<string> CallerIdentities { get; }

    /// <summary>What identifies this generation: a reload that yields the same fingerprint is not a rotation.</summary>
    public string Fingerprint { get; }

    /// <exception cref="ArgumentException">A file is missing, unreadable, or holds no usable certificate or key.</exception>
    public static CredentialSet Load(string authorityFile, string? certificateFile, string? keyFile, bool mutual, string? workerIdentity, IReadOnlyList<string> callerIdentities)
    {
        var authorities = new X509Certificate2Collection();
        try
        {
            authorities.ImportFromPemFile(authorityFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            throw new ArgumentException($"The authority file '{authorityFile}' cannot be read as PEM certificates: {e.Message}", nameof(authorityFile), e);
        }

        if (authorities.Count == 0)
        {
            throw new ArgumentException($"The authority file '{authorityFile}' holds no certificate. Give the PEM file of the certificate authority that issues the workers' (and callers') certificates.", nameof(authorityFile));
        }

        if (certificateFile is null || keyFile is null)
        {
            return new CredentialSet(authorities, null, null, mutual, workerIdentity, callerIdentities);
        }

        X509Certificate2 certificate;
        var intermediates = new X509Certificate2Collection();
        try
        {
            certificate = X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
            intermediates.ImportFromPemFile(certificateFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new ArgumentException(
                $"The certificate '{certificateFile}' and key '{keyFile}' cannot be loaded together ({e.Message}). " +
                "Give the PEM certificate (followed by any intermediates) and its unencrypted PEM private key.",
                nameof(certificateFile),
                e);
        }

        if (OperatingSystem.IsWindows())
        {
            // SChannel cannot use a key that lives only in memory; a PKCS#12 round trip gives it one it can.
            using X509Certificate2 ephemeral = certificate;
            certificate = X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), null);
        }

        var chain = new X509Certificate2Collection();
        foreach (X509Certificate2 extra in intermediates)
        {
            if (extra.Thumbprint != certificate.Thumbprint)
            {
                chain.Add(extra);
            }
        }

        var context = SslStreamCertificateContext.Create(certificate, chain, offline: true);
        return new CredentialSet(authorities, certificate, context, mutual, workerIdentity, callerIdentities);
    }
}
