using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Wool.Security;

namespace Wool.Benchmarks;

/// <summary>A private authority and one certificate it issued, made for one run in a temporary folder (deleted on dispose).</summary>
internal sealed class ThrowawayCredentials : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("wool-bench-tls-").FullName;

    public ThrowawayCredentials()
    {
        using var authorityKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var authorityRequest = new CertificateRequest("CN=Wool Benchmark Authority", authorityKey, HashAlgorithmName.SHA256);
        authorityRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, critical: true));
        authorityRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign, critical: true));
        using X509Certificate2 authority = authorityRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1));

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=wool-worker", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("wool-worker");
        request.CertificateExtensions.Add(names.Build());
        // A worker's certificate, which peers also present as callers: both uses.
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], critical: false));
        using X509Certificate2 issued = request.Create(authority, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1), RandomNumberGenerator.GetBytes(8));

        string authorityFile = Path.Combine(_folder, "ca.pem"), certificateFile = Path.Combine(_folder, "tls.pem"), keyFile = Path.Combine(_folder, "tls.key");
        File.WriteAllText(authorityFile, authority.ExportCertificatePem());
        File.WriteAllText(certificateFile, issued.ExportCertificatePem());
        File.WriteAllText(keyFile, key.ExportPkcs8PrivateKeyPem());
        Credentials = WorkerCredentials.FromPemFiles(authorityFile, certificateFile, keyFile, mutual: true, workerIdentity: "wool-worker");
        WorkerArguments = ["--tls-authority", authorityFile, "--tls-certificate", certificateFile, "--tls-key", keyFile, "--tls-worker-identity", "wool-worker"];
    }

    public WorkerCredentials Credentials { get; }

    /// <summary>A worker's command-line options that serve with these files.</summary>
    public string[] WorkerArguments { get; }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
