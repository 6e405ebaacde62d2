using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Wool.Security;

namespace Wool.Tests.Integration.Security;

/// <summary>
/// A throwaway certificate authority made at test time, with the PEM files it issues in a
/// temporary folder (deleted on dispose). Nothing secret is ever committed.
/// </summary>
internal sealed class TestAuthority : IDisposable
{
    public const string WorkerIdentity = "wool-worker";

    public const string CallerIdentity = "wool-caller";

    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");

    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly X509Certificate2 _certificate;

    public TestAuthority(string name = "Wool Test Authority")
    {
        Folder = Directory.CreateTempSubdirectory("wool-tls-").FullName;
        var request = new CertificateRequest($"CN={name}", _key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        _certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(30));
        AuthorityFile = Path.Combine(Folder, $"{Slug(name)}-ca.pem");
        File.WriteAllText(AuthorityFile, _certificate.ExportCertificatePem());
    }

    public string Folder { get; }

    public string AuthorityFile { get; }

    /// <summary>
    /// Issues a worker's certificate for <paramref name="dnsName"/> (server and client use: a worker
    /// also calls its peers) and writes it and its key as PEM.
    /// </summary>
    public (string Certificate, string Key) Issue(string stem, string? dnsName = WorkerIdentity, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
        => Issue(stem, dnsName, [ServerAuth, ClientAuth], notBefore, notAfter);

    /// <summary>Issues a caller's certificate (client use only) for <paramref name="dnsName"/>, as the documented recipe does for an application.</summary>
    public (string Certificate, string Key) IssueCaller(string stem, string dnsName = CallerIdentity)
        => Issue(stem, dnsName, [ClientAuth], null, null);

    private (string Certificate, string Key) Issue(string stem, string? dnsName, Oid[] usages, DateTimeOffset? notBefore, DateTimeOffset? notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={stem}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([.. usages], critical: false));
        if (dnsName is not null)
        {
            // Deliberately no IP address: workers verify by identity, never by the address they were dialled at.
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName(dnsName);
            request.CertificateExtensions.Add(names.Build());
        }

        byte[] serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        using X509Certificate2 issued = request.Create(_certificate, notBefore ?? DateTimeOffset.UtcNow.AddHours(-1), notAfter ?? DateTimeOffset.UtcNow.AddDays(1), serial);
        string certificateFile = Path.Combine(Folder, $"{stem}.pem");
        string keyFile = Path.Combine(Folder, $"{stem}.key");
        File.WriteAllText(certificateFile, issued.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        return (certificateFile, keyFile);
    }

    /// <summary>Credentials trusting this authority, with a freshly issued certificate.</summary>
    public WorkerCredentials Credentials(string stem, bool mutual = true, string? identity = WorkerIdentity)
    {
        var (certificate, key) = Issue(stem);
        return WorkerCredentials.FromPemFiles(AuthorityFile, certificate, key, mutual, identity);
    }

    /// <summary>Credentials of a calling application: a caller's certificate (client use only), trusting workers of this authority.</summary>
    public WorkerCredentials CallerCredentials(string stem)
    {
        var (certificate, key) = IssueCaller(stem);
        return WorkerCredentials.FromPemFiles(AuthorityFile, certificate, key, workerIdentity: WorkerIdentity);
    }

    /// <summary>The worker command-line options that serve with files issued here.</summary>
    public string[] WorkerArguments((string Certificate, string Key) files, bool mutual = true, string? authorityFile = null)
        => ["--tls-authority", authorityFile ?? AuthorityFile, "--tls-certificate", files.Certificate, "--tls-key", files.Key, .. mutual ? Array.Empty<string>() : ["--tls-one-way"]];

    public void Dispose()
    {
        _key.Dispose();
        _certificate.Dispose();
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    }

    private static string Slug(string name) => new([.. name.ToLowerInvariant().Select(c => char.IsLetterOrDigit(c) ? c : '-')]);
}
