namespace Wool.Hosting;

/// <summary>The PEM files of <see cref="Security.WorkerCredentials.FromPemFiles"/>, as configuration (<c>Wool:Tls:…</c>).</summary>
public sealed class WoolTlsOptions
{
    /// <summary>The certificate authority workers and callers must be issued by.</summary>
    public string? Authority { get; set; }

    /// <summary>This process's certificate (and its spawned workers').</summary>
    public string? Certificate { get; set; }

    /// <summary>The unencrypted private key of <see cref="Certificate"/>.</summary>
    public string? Key { get; set; }

    /// <summary>Whether workers require callers to present a certificate (default true).</summary>
    public bool Mutual { get; set; } = true;

    /// <summary>The DNS name every worker's certificate must carry; any certificate of the authority when null.</summary>
    public string? WorkerIdentity { get; set; }

    /// <summary>With mutual TLS: the DNS names a caller's certificate must carry one of.</summary>
    public List<string> CallerIdentities { get; set; } = [];
}
