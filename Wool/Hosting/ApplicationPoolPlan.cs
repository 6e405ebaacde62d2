using Microsoft.Extensions.Logging;
using Wool.Discovery;

namespace Wool.Hosting;

/// <summary>
/// What <see cref="WoolOptions"/> ask for, checked and translated into a <see cref="WorkerPool"/>'s
/// arguments. Every error names the setting as it is written in configuration (<c>Wool:Spawn</c>).
/// </summary>
/// <remarks>Checking creates nothing that holds a resource: an etcd discovery (a gRPC channel) is made by <see cref="Create"/> only.</remarks>
internal sealed record ApplicationPoolPlan(int? Spawn, string Discovery, string? Namespace, IWorkerDiscovery? CustomDiscovery, WorkerPoolOptions Options)
{
    private static readonly string[] DiscoveryKinds = ["none", "local", "lan", "static", "dns", "etcd"];

    /// <summary>The plan of <paramref name="options"/>, or the list of what is wrong with them.</summary>
    public static (ApplicationPoolPlan? Plan, List<string> Errors) From(WoolOptions options, ILoggerFactory? loggerFactory)
    {
        var errors = new List<string>();
        string kind = (options.Discovery ?? "none").Trim().ToLowerInvariant();
        bool discovers = options.CustomDiscovery is not null || kind != "none";
        if (options.CustomDiscovery is null && !DiscoveryKinds.Contains(kind))
        {
            errors.Add($"Wool:Discovery is '{options.Discovery}'; use none, local, lan, etcd, static or dns (or set CustomDiscovery in code).");
        }

        if (options.CustomDiscovery is null && kind is "local" or "lan" or "etcd" && string.IsNullOrWhiteSpace(options.Namespace))
        {
            errors.Add($"Wool:Namespace is required with Wool:Discovery '{kind}': the namespace the workers publish in.");
        }

        IWorkerDiscovery? custom = options.CustomDiscovery;
        if (custom is null && kind == "static")
        {
            try
            {
                custom = new StaticDiscovery([.. options.Workers]);
            }
            catch (ArgumentException e)
            {
                errors.Add($"Wool:Workers: {e.Message.Replace(" (Parameter 'address')", "", StringComparison.Ordinal).Replace(" (Parameter 'addresses')", "", StringComparison.Ordinal)} It lists the workers of Wool:Discovery 'static'.");
            }
        }

        if (custom is null && kind == "dns")
        {
            custom = Dns(options, loggerFactory, errors);
        }

        EtcdDiscoveryOptions? etcd = null;
        if (custom is null && kind == "etcd" && !string.IsNullOrWhiteSpace(options.Namespace))
        {
            try
            {
                etcd = new EtcdDiscoveryOptions { Endpoints = options.EtcdEndpoints, Namespace = options.Namespace }.Validate();
            }
            catch (ArgumentException e)
            {
                errors.Add($"Wool:EtcdEndpoints: {e.Message.Split(" (Parameter", 2)[0]}");
            }
        }

        if (options.CustomDiscovery is null && kind is "static" or "dns" && options.Tags.Count > 0)
        {
            errors.Add($"Wool:Tags select workers by the tags they announce, and the workers of {kind} discovery announce none: remove Wool:Tags.");
        }

        if (options.CustomDiscovery is null && kind is "lan" or "dns" or "etcd" && options.AccessTokenFile is not null && options.Tls is null)
        {
            errors.Add($"Wool:AccessTokenFile with Wool:Discovery '{kind}' would send the token in clear to addresses whoever writes the records chooses: configure Wool:Tls instead.");
        }

        if (options.Spawn is < 0 || (options.Spawn == 0 && !discovers))
        {
            errors.Add($"Wool:Spawn is {options.Spawn}; a pool without discovery spawns at least one worker (leave it out for one per processor).");
        }

        WorkerPoolOptions pool = WorkerPoolOptions.Default with
        {
            LoggerFactory = loggerFactory,
            Tags = [.. options.Tags],
            Lease = options.Lease,
            Quorum = options.Quorum,
            QuorumTimeout = options.QuorumTimeout ?? WorkerPoolOptions.Default.QuorumTimeout,
            KeepAlive = options.KeepAlive ?? WorkerPoolOptions.Default.KeepAlive,
            StartTimeout = options.StartTimeout ?? WorkerPoolOptions.Default.StartTimeout,
            ShutdownGracePeriod = options.ShutdownGracePeriod ?? WorkerPoolOptions.Default.ShutdownGracePeriod,
            AllowedTypes = [.. options.AllowedTypes],
            AccessTokenFile = options.AccessTokenFile,
            Limits = WorkerLimits.Default with
            {
                MaxMessageSize = options.MaxMessageSize ?? WorkerLimits.Default.MaxMessageSize,
                MaxValueDepth = options.MaxValueDepth ?? WorkerLimits.Default.MaxValueDepth,
            },
            Credentials = Credentials(options.Tls, errors),
            WorkerLogLevel = options.WorkerLogLevel ?? WorkerPoolOptions.Default.WorkerLogLevel,
            WorkerLogFilters = new Dictionary<string, LogLevel>(options.WorkerLogFilters, StringComparer.Ordinal),
        };

        if (errors.Count == 0)
        {
            try
            {
                _ = pool.Validate(options.Spawn ?? (discovers ? 0 : Environment.ProcessorCount), discovers);
            }
            catch (ArgumentException e)
            {
                errors.Add($"Wool: {e.Message.Replace(" (Parameter 'options')", "", StringComparison.Ordinal)}");
            }
        }

        return errors.Count > 0 ? (null, errors) : (new ApplicationPoolPlan(options.Spawn, kind, options.Namespace, custom, pool) { Etcd = etcd }, errors);
    }

    /// <summary>With <c>etcd</c> discovery: where, checked.</summary>
    public EtcdDiscoveryOptions? Etcd { get; init; }

    /// <summary>Starts the pool this plan describes, with the discovery it made (to dispose with the pool; null when it made none that holds resources).</summary>
    public (WorkerPool Pool, IAsyncDisposable? Discovery) Create()
    {
        if (Etcd is { } etcd)
        {
            var owned = new EtcdDiscovery(etcd, Options.LoggerFactory?.CreateLogger<EtcdDiscovery>());
            return (new WorkerPool(Spawn, owned, Options), owned);
        }

        IWorkerDiscovery? discovery = CustomDiscovery ?? Discovery switch
        {
            "local" => new LocalDiscovery(Namespace!),
            "lan" => new LanDiscovery(Namespace!),
            _ => null,
        };
        return (new WorkerPool(Spawn, discovery, Options), null);
    }

    private static DnsDiscovery? Dns(WoolOptions options, ILoggerFactory? loggerFactory, List<string> errors)
    {
        if (options.Dns is not { Name: { } name } dns || string.IsNullOrWhiteSpace(name))
        {
            errors.Add("Wool:Dns:Name is required with Wool:Discovery 'dns': the workers' DNS name (with Wool:Dns:Port), or their SRV name.");
            return null;
        }

        try
        {
            var servers = dns.Servers.Select(DnsDiscoveryOptions.ParseNameServer).ToList();
            return new DnsDiscovery(
                new DnsDiscoveryOptions
                {
                    Name = name,
                    Port = dns.Port,
                    NameServers = servers,
                    Secure = options.Tls is { Authority: not null },
                    MaxInterval = dns.MaxInterval ?? TimeSpan.FromSeconds(30),
                },
                loggerFactory?.CreateLogger<DnsDiscovery>());
        }
        catch (ArgumentException e)
        {
            errors.Add($"Wool:Dns: {e.Message.Split(" (Parameter", 2)[0]}");
            return null;
        }
    }

    private static Security.WorkerCredentials? Credentials(WoolTlsOptions? tls, List<string> errors)
    {
        if (tls is null || (tls.Authority is null && tls.Certificate is null && tls.Key is null))
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(tls.Authority))
        {
            errors.Add("Wool:Tls:Authority is required with TLS: the PEM file of the certificate authority.");
            return null;
        }

        try
        {
            return Security.WorkerCredentials.FromPemFiles(tls.Authority, tls.Certificate, tls.Key, tls.Mutual, tls.WorkerIdentity, callerIdentities: tls.CallerIdentities);
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            errors.Add($"Wool:Tls: {e.Message}");
            return null;
        }
    }
}
