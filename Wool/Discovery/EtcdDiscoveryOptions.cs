namespace Wool.Discovery;

/// <summary>Where <see cref="EtcdDiscovery"/> keeps workers, and how it keeps them alive. Immutable; checked when the discovery is created.</summary>
public sealed record EtcdDiscoveryOptions
{
    /// <summary>
    /// The etcd cluster's client URLs (<c>http://etcd-0.etcd:2379</c>, or <c>https://</c> for a
    /// cluster that serves TLS with a certificate this machine trusts). Calls are spread over them,
    /// and an unreachable one is skipped.
    /// </summary>
    public required IReadOnlyList<string> Endpoints { get; init; }

    /// <summary>The discovery namespace: only pools and workers of the same namespace see each other.</summary>
    public required string Namespace { get; init; }

    /// <summary>The root of Wool's keys (default <c>/wool/</c>); a worker is <c>{KeyPrefix}{Namespace}/workers/{id}</c>.</summary>
    public string KeyPrefix { get; init; } = "/wool/";

    /// <summary>
    /// A published worker's lease (default 10 s, 2 s to 5 minutes), renewed every third of it: a
    /// worker that dies without leaving is dropped when its lease expires.
    /// </summary>
    public TimeSpan LeaseTimeToLive { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The first wait before trying etcd again after a failure, doubled up to <see cref="MaxRetryInterval"/> (default 0.5 s).</summary>
    public TimeSpan MinRetryInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest wait between attempts while etcd is unreachable (default 10 s).</summary>
    public TimeSpan MaxRetryInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The keys of this namespace's workers.</summary>
    internal string WorkersPrefix => $"{KeyPrefix.TrimEnd('/')}/{Namespace}/workers/";

    /// <exception cref="ArgumentException">A setting is not valid; the message names it.</exception>
    internal EtcdDiscoveryOptions Validate()
    {
        if (Endpoints is null || Endpoints.Count == 0)
        {
            throw new ArgumentException("EtcdDiscoveryOptions.Endpoints is empty: give the etcd cluster's client URLs, e.g. http://etcd:2379.", nameof(Endpoints));
        }

        foreach (string endpoint in Endpoints)
        {
            if (!Uri.TryCreate(endpoint, UriKind.Absolute, out Uri? uri) || uri.Scheme is not ("http" or "https") || uri.AbsolutePath != "/" || uri.IsDefaultPort && !endpoint.EndsWith($":{uri.Port}", StringComparison.Ordinal))
            {
                throw new ArgumentException($"EtcdDiscoveryOptions.Endpoints: '{endpoint}' is not an etcd client URL; write http(s)://host:port, e.g. http://etcd:2379.", nameof(Endpoints));
            }
        }

        if (string.IsNullOrWhiteSpace(Namespace) || Namespace.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"EtcdDiscoveryOptions.Namespace '{Namespace}' must be a non-empty name without '/'.", nameof(Namespace));
        }

        if (string.IsNullOrEmpty(KeyPrefix) || KeyPrefix[0] != '/')
        {
            throw new ArgumentException($"EtcdDiscoveryOptions.KeyPrefix '{KeyPrefix}' must start with '/', e.g. /wool/.", nameof(KeyPrefix));
        }

        if (LeaseTimeToLive < TimeSpan.FromSeconds(2) || LeaseTimeToLive > TimeSpan.FromMinutes(5))
        {
            throw new ArgumentException($"EtcdDiscoveryOptions.LeaseTimeToLive is {LeaseTimeToLive}; give 2 s to 5 minutes.", nameof(LeaseTimeToLive));
        }

        if (MinRetryInterval < TimeSpan.FromMilliseconds(100) || MaxRetryInterval > TimeSpan.FromMinutes(5) || MinRetryInterval > MaxRetryInterval)
        {
            throw new ArgumentException($"EtcdDiscoveryOptions: MinRetryInterval ({MinRetryInterval}) must be at least 100 ms, MaxRetryInterval ({MaxRetryInterval}) at most 5 minutes, and MinRetryInterval no more than MaxRetryInterval.", nameof(MinRetryInterval));
        }

        return this;
    }
}
