using System.Net;

namespace Wool.Discovery;

/// <summary>
/// What <see cref="DnsDiscovery"/> looks up and how often. Immutable; checked when the discovery is
/// created.
/// </summary>
public sealed record DnsDiscoveryOptions
{
    /// <summary>
    /// The DNS name, fully qualified: the name of a headless Service
    /// (<c>workers.default.svc.cluster.local</c>) with <see cref="Port"/>, or an SRV name
    /// (<c>_wool._tcp.workers.default.svc.cluster.local</c>) without it. Search domains of
    /// <c>resolv.conf</c> are not applied.
    /// </summary>
    public required string Name { get; init; }

    /// <summary>
    /// The port every worker listens on: the name's A (or AAAA) records are the workers. Null: the
    /// name's SRV records are the workers, each with its target and port.
    /// </summary>
    public int? Port { get; init; }

    /// <summary>Whether the workers serve TLS (<c>https://</c>); they must, beyond an isolated network.</summary>
    public bool Secure { get; init; }

    /// <summary>
    /// The DNS servers to ask (an address and port each). Empty: the machine's resolvers
    /// (<c>/etc/resolv.conf</c>), as in a Kubernetes pod.
    /// </summary>
    public IReadOnlyList<IPEndPoint> NameServers { get; init; } = [];

    /// <summary>
    /// Look again no sooner than this after an answer, even when its records live shorter (default
    /// 1 s, at least 100 ms). Also the first wait after a failed lookup.
    /// </summary>
    public TimeSpan MinInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Look again no later than this after an answer, even when its records live longer (default
    /// 30 s, at most 10 minutes). Also the longest wait between retries while lookups fail.
    /// </summary>
    public TimeSpan MaxInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The most workers taken from one answer (default 256, at most 4096), and the most SRV targets
    /// looked up: a name with more records, by mistake or by a hostile server, cannot make a pool dial
    /// thousands of addresses. Records past the cap are ignored.
    /// </summary>
    public int MaxWorkers { get; init; } = 256;

    /// <summary>How long one query may take before it counts as failed (default 2 s).</summary>
    public TimeSpan QueryTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>With A/AAAA records: use the name's IPv6 addresses, not its IPv4 ones (default: IPv4, or IPv6 when the name has none).</summary>
    public bool PreferIPv6 { get; init; }

    /// <exception cref="ArgumentException">A setting is out of range; the message names it.</exception>
    internal DnsDiscoveryOptions Validate()
    {
        if (!IsDnsName(Name))
        {
            throw new ArgumentException($"DnsDiscoveryOptions.Name '{Name}' is not a DNS name: give the workers' name, e.g. workers.default.svc.cluster.local (with Port) or _wool._tcp.workers.default.svc.cluster.local (SRV).", nameof(Name));
        }

        if (Port is < 1 or > 65535)
        {
            throw new ArgumentException($"DnsDiscoveryOptions.Port is {Port}; give the workers' port (1-65535), or leave it out to read SRV records.", nameof(Port));
        }

        if (MinInterval < TimeSpan.FromMilliseconds(100) || MaxInterval > TimeSpan.FromMinutes(10) || MinInterval > MaxInterval)
        {
            throw new ArgumentException($"DnsDiscoveryOptions: MinInterval ({MinInterval}) must be at least 100 ms, MaxInterval ({MaxInterval}) at most 10 minutes, and MinInterval no more than MaxInterval.", nameof(MinInterval));
        }

        if (MaxWorkers is < 1 or > 4096)
        {
            throw new ArgumentException($"DnsDiscoveryOptions.MaxWorkers is {MaxWorkers}; give 1 to 4096.", nameof(MaxWorkers));
        }

        if (QueryTimeout <= TimeSpan.Zero || QueryTimeout > TimeSpan.FromMinutes(1))
        {
            throw new ArgumentException($"DnsDiscoveryOptions.QueryTimeout is {QueryTimeout}; give more than zero and at most a minute.", nameof(QueryTimeout));
        }

        return this;
    }

    /// <summary>A DNS server as configuration writes it (<c>10.96.0.10:53</c>, <c>[fd00::a]:53</c>).</summary>
    /// <exception cref="ArgumentException">It is not an address and port.</exception>
    public static IPEndPoint ParseNameServer(string server)
        => IPEndPoint.TryParse(server ?? "", out var endpoint) && endpoint.Port > 0
            ? endpoint
            : throw new ArgumentException($"'{server}' is not a DNS server's address and port, such as 10.96.0.10:53.", nameof(server));

    // Host-name rules, plus the underscore SRV names begin with (_wool._tcp.…).
    private static bool IsDnsName(string? name)
    {
        string[] labels = (name ?? "").TrimEnd('.').Split('.');
        return name is { Length: > 0 and <= 253 } && labels.All(label =>
            label.Length is > 0 and <= 63 && label[0] != '-' && label[^1] != '-' && label.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'));
    }
}
