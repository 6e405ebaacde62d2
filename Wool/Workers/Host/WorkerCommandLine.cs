using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Wool.Admission;
using Wool.Security;

namespace Wool.Workers.Host;

/// <summary>
/// A worker's command line: <c>dotnet Wool.dll worker [options]</c>, with its environment variables
/// and configuration file (<see cref="WorkerOptionTable"/>). Every option is checked, alone and
/// against the others, and a mistake is an <see cref="ArgumentException"/> that names the option
/// and says what to give.
/// </summary>
internal static class WorkerCommandLine
{
    public static WorkerOptions Parse(ReadOnlySpan<string> args) => Parse(args, Environment.GetEnvironmentVariable);

    /// <param name="args">The command line after <c>worker</c>.</param>
    /// <param name="environment">Reads an environment variable (the process's, or a test's).</param>
    public static WorkerOptions Parse(ReadOnlySpan<string> args, Func<string, string?> environment)
    {
        var given = WorkerOptionTable.Read(args, environment);
        string? One(string name) => given.TryGetValue(name, out List<string>? values) ? values[0] : null;
        IReadOnlyList<string> All(string name) => given.TryGetValue(name, out List<string>? values) ? values : [];
        bool Has(string name) => given.ContainsKey(name);

        string discovery = One("--discovery") ?? "none";
        if (discovery is not ("local" or "lan" or "etcd" or "dns" or "static" or "none"))
        {
            throw new ArgumentException($"--discovery is local, lan, etcd, dns, static or none, not '{discovery}'.");
        }

        string? @namespace = One("--namespace");
        bool named = discovery is "local" or "lan" or "etcd";
        if (named && @namespace is null)
        {
            throw new ArgumentException($"--discovery {discovery} needs --namespace <name>: only pools and workers of the same namespace see each other.");
        }

        if (!named && @namespace is not null)
        {
            throw new ArgumentException("--namespace names a discovery namespace; give it with --discovery local, lan or etcd, or remove it.");
        }

        var peers = discovery == "etcd"
            ? EtcdDiscovery(All("--etcd-endpoint"), @namespace!, One("--etcd-lease-ttl"))
            : DiscoveryFactory(discovery, One("--dns-name"), One("--dns-port"), All("--dns-server"), All("--peer"), Has("--tls-certificate"));
        if (discovery != "etcd" && (Has("--etcd-endpoint") || Has("--etcd-lease-ttl")))
        {
            throw new ArgumentException("--etcd-endpoint and --etcd-lease-ttl go with --discovery etcd.");
        }

        WorkerCredentials? credentials = Credentials(One("--tls-authority"), One("--tls-certificate"), One("--tls-key"), Has("--tls-one-way"), One("--tls-worker-identity"), All("--tls-caller-identity"));
        bool insecureNetwork = Has("--insecure-listen-on-network");
        EndPoint? listen = One("--listen") is { } address ? ParseListen(address) : null;
        CheckListen(listen, credentials, insecureNetwork);
        IPEndPoint? healthListen = One("--health-listen") is { } health
            ? IPEndPoint.TryParse(health, out var healthEndpoint) && healthEndpoint.Port > 0 && healthEndpoint.Port != (listen as IPEndPoint)?.Port
                ? healthEndpoint
                : throw new ArgumentException($"--health-listen expects an address and a fixed port other than --listen's, such as 0.0.0.0:8081, not '{health}'.")
            : null;

        bool tokensFromStdin = Has("--access-token-from-stdin");
        string? tokenFile = One("--access-token-file") is { } file ? Path.GetFullPath(file) : null;
        if (tokensFromStdin && tokenFile is not null)
        {
            throw new ArgumentException("Give the access token one way: --access-token-from-stdin (a spawning pool) or --access-token-file.");
        }

        if (credentials is null && !insecureNetwork && !tokensFromStdin && tokenFile is null && discovery != "local")
        {
            throw new ArgumentException(
                "A worker without TLS serves only callers that hold its access token, and this one has none: " +
                "run it with --discovery local --namespace <name> (the namespace's token, shared with its pools), or --access-token-file <file>, or give it TLS credentials.");
        }

        if (credentials is null && (tokensFromStdin || tokenFile is not null) && discovery is "lan" or "dns" or "etcd")
        {
            // Its peers would get the token in clear, at addresses whoever writes the records chooses.
            throw new ArgumentException(
                $"--discovery {discovery} names peers at addresses anyone who can write its records chooses, and this worker would send them its access token in clear: " +
                "give it TLS credentials (--tls-authority, --tls-certificate, --tls-key) instead of an access token.");
        }

        string? assemblies = One("--assemblies");
        if (assemblies is not null && !Directory.Exists(assemblies))
        {
            throw new ArgumentException($"--assemblies: the folder '{assemblies}' does not exist.");
        }

        string? alone = new[] { "--accept-code-from", "--code-cache", "--code-idle-unload" }.FirstOrDefault(o => Has(o) && !Has("--accept-code"));
        if (alone is not null || All("--accept-code-from").Count > 0 && credentials?.Mutual != true)
        {
            throw new ArgumentException(alone is not null
                ? $"{alone} goes with --accept-code, which this worker was not given: add it, or remove {alone}."
                : "--accept-code-from names callers by their mutual-TLS certificate: give TLS credentials (--tls-authority, --tls-certificate, --tls-key) without --tls-one-way.");
        }

        // Read now, so that a bad entry fails the command line rather than the first call.
        _ = Serialization.Types.TypeAllowList.Parse(All("--allow-type"));
        var limits = new WorkerLimits
        {
            MaxMessageSize = Number("--max-message-size", One("--max-message-size"), WorkerLimits.Default.MaxMessageSize),
            MaxValueDepth = Number("--max-value-depth", One("--max-value-depth"), WorkerLimits.Default.MaxValueDepth),
            MaxCallsPerConnection = Number("--max-calls-per-connection", One("--max-calls-per-connection"), WorkerLimits.Default.MaxCallsPerConnection),
            MaxStreamsPerConnection = Number("--max-streams-per-connection", One("--max-streams-per-connection"), WorkerLimits.Default.MaxStreamsPerConnection),
            MaxConnections = Number("--max-connections", One("--max-connections"), WorkerLimits.Default.MaxConnections),
        }.Validate("worker options");

        return new WorkerOptions(listen, Has("--exit-with-parent"), TimeSpan.FromSeconds(Number("--grace-period", One("--grace-period"), 10)))
        {
            ParentProcessId = One("--parent-pid") is { } parent ? Number("--parent-pid", parent, 0) : null,
            TokensFromStdin = tokensFromStdin,
            AccessTokenFile = tokenFile,
            DiscoveryNamespace = @namespace,
            DiscoveryMode = discovery,
            DiscoveryFactory = peers,
            InsecureNetwork = insecureNetwork,
            Credentials = credentials,
            AllowedTypes = All("--allow-type"),
            AcceptCode = Has("--accept-code"),
            AcceptCodeFrom = All("--accept-code-from"),
            CodeCache = One("--code-cache") is { } cache ? Path.GetFullPath(cache) : null,
            CodeIdleUnload = One("--code-idle-unload") is "0" ? null : TimeSpan.FromSeconds(Number("--code-idle-unload", One("--code-idle-unload"), 600)),
            Tags = All("--tag"),
            Assemblies = assemblies is null ? null : Path.GetFullPath(assemblies),
            Admission = One("--admission") is { } admission ? CreatePolicy(admission) : null,
            Startup = One("--startup") is { } startup ? CreateStartup(startup) : null,
            Limits = limits,
            HealthListen = healthListen,
            LogLevel = One("--log-level") is { } level ? Level("--log-level", level) : Microsoft.Extensions.Logging.LogLevel.Warning,
            LogFilters = All("--log-filter").Select(Filter).ToDictionary(StringComparer.Ordinal),
            Advertise = One("--advertise") is { } advertise && WorkerAddress.AdvertisedEndpoint(advertise) is var _ ? advertise.Trim() : null,
        };
    }

    /// <summary>Where a worker of <c>--discovery dns</c> or <c>static</c> finds its peers (it publishes nothing: the orchestrator or the list does).</summary>
    private static Func<Microsoft.Extensions.Logging.ILogger, Discovery.IWorkerDiscovery>? DiscoveryFactory(string discovery, string? dnsName, string? dnsPort, IReadOnlyList<string> dnsServers, IReadOnlyList<string> peers, bool secure)
    {
        if (discovery != "dns" && (dnsName ?? dnsPort) is not null || dnsServers.Count > 0 && discovery != "dns")
        {
            throw new ArgumentException("--dns-name, --dns-port and --dns-server go with --discovery dns.");
        }

        if (discovery != "static" && peers.Count > 0)
        {
            throw new ArgumentException("--peer lists the workers of --discovery static; give that too, or remove it.");
        }

        if (discovery == "static")
        {
            var list = peers.Count > 0
                ? new Discovery.StaticDiscovery([.. peers])
                : throw new ArgumentException("--discovery static needs the other workers, each with --peer host:port (WOOL_PEER: comma-separated).");
            return _ => list;
        }

        if (discovery != "dns")
        {
            return null;
        }

        if (dnsName is null)
        {
            throw new ArgumentException("--discovery dns needs --dns-name: the workers' DNS name (with --dns-port), or their SRV name (without).");
        }

        var servers = dnsServers.Select(server =>
        {
            try
            {
                return Discovery.DnsDiscoveryOptions.ParseNameServer(server);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"--dns-server: {e.Message.Split(" (Parameter", 2)[0]}", e);
            }
        }).ToList();
        var dns = new Discovery.DnsDiscoveryOptions
        {
            Name = dnsName,
            Port = dnsPort is null ? null : Number("--dns-port", dnsPort, 0),
            NameServers = servers,
            Secure = secure,
        };
        _ = new Discovery.DnsDiscovery(dns); // checks the options now, so a mistake fails the command line
        return logger => new Discovery.DnsDiscovery(dns, logger);
    }

    private static Func<Microsoft.Extensions.Logging.ILogger, Discovery.IWorkerDiscovery> EtcdDiscovery(IReadOnlyList<string> endpoints, string @namespace, string? leaseSeconds)
    {
        if (endpoints.Count == 0)
        {
            throw new ArgumentException("--discovery etcd needs --etcd-endpoint <url>: the etcd cluster's client URL, e.g. http://etcd:2379 (repeatable).");
        }

        var etcd = new Discovery.EtcdDiscoveryOptions
        {
            Endpoints = endpoints,
            Namespace = @namespace,
            LeaseTimeToLive = TimeSpan.FromSeconds(Number("--etcd-lease-ttl", leaseSeconds, 10)),
        }.Validate();
        return logger => new Discovery.EtcdDiscovery(etcd, logger);
    }

    private static WorkerCredentials? Credentials(string? authority, string? certificate, string? key, bool oneWay, string? identity, IReadOnlyList<string> callers)
    {
        if (authority is null && certificate is null && key is null)
        {
            return oneWay || identity is not null || callers.Count > 0
                ? throw new ArgumentException("--tls-one-way, --tls-worker-identity and --tls-caller-identity need --tls-authority, --tls-certificate and --tls-key.")
                : null;
        }

        if (authority is null || certificate is null || key is null)
        {
            throw new ArgumentException("TLS needs all three of --tls-authority, --tls-certificate and --tls-key.");
        }

        return WorkerCredentials.FromPemFiles(authority, certificate, key, mutual: !oneWay, workerIdentity: identity, callerIdentities: callers);
    }

    private static void CheckListen(EndPoint? listen, WorkerCredentials? credentials, bool insecureNetwork)
    {
        if (credentials is not null && insecureNetwork)
        {
            throw new ArgumentException("--insecure-listen-on-network contradicts the TLS options: with TLS the worker may listen on any address. Remove it.");
        }

        if (listen is IPEndPoint ip && !IPAddress.IsLoopback(ip.Address) && !insecureNetwork && credentials is null)
        {
            throw new ArgumentException(
                $"--listen {listen}: a worker executes code on request, so without TLS it listens on loopback only. " +
                "Give it credentials (--tls-authority, --tls-certificate, --tls-key), or, on a trusted and isolated network only, add --insecure-listen-on-network.");
        }

        if (listen is UnixDomainSocketEndPoint && insecureNetwork)
        {
            throw new ArgumentException("--insecure-listen-on-network is meaningless with a Unix domain socket, which only this machine can reach. Remove it.");
        }
    }

    private static Microsoft.Extensions.Logging.LogLevel Level(string option, string value)
        => !value.Any(char.IsAsciiDigit) && Enum.TryParse(value, ignoreCase: true, out Microsoft.Extensions.Logging.LogLevel level)
            ? level
            : throw new ArgumentException($"{option}: '{value}' is not a log level; give Trace, Debug, Information, Warning, Error, Critical or None.");

    private static KeyValuePair<string, Microsoft.Extensions.Logging.LogLevel> Filter(string value)
        => value.Split('=', 2, StringSplitOptions.TrimEntries) is [{ Length: > 0 } category, var level]
            ? new(category, Level("--log-filter", level))
            : throw new ArgumentException($"--log-filter expects category=level, such as Wool.Workers=Debug, not '{value}'.");

    private static int Number(string name, string? value, int otherwise)
        => value is null
            ? otherwise
            : int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int number) && number > 0
                ? number
                : throw new ArgumentException($"{name} expects a positive whole number, not '{value}'.");

    private static EndPoint ParseListen(string value)
    {
        if (value.StartsWith("unix:", StringComparison.Ordinal))
        {
            string path = Path.GetFullPath(value["unix:".Length..]);
            // sockaddr_un holds 108 bytes, with the terminating zero.
            return System.Text.Encoding.UTF8.GetByteCount(path) < 108
                ? new UnixDomainSocketEndPoint(path)
                : throw new ArgumentException($"--listen {value}: a Unix domain socket path must be shorter than 108 bytes. Use a shorter folder.");
        }

        return IPEndPoint.TryParse(value, out var endpoint)
            ? endpoint
            : throw new ArgumentException($"--listen expects an address and port such as 127.0.0.1:0, or unix:/path/to/socket, not '{value}'.");
    }

    private static IWorkerStartup CreateStartup(string typeName)
    {
        Type type = Type.GetType(typeName, throwOnError: false)
            ?? throw new ArgumentException($"--startup (WOOL_STARTUP): the type '{typeName}' cannot be loaded. Give its assembly-qualified name ('Namespace.Type, Assembly'), and deploy its assembly with the worker.");
        if (WorkerStartupAttribute.Problem(type) is { } problem)
        {
            throw new ArgumentException($"--startup (WOOL_STARTUP): '{type.FullName}' {problem}.");
        }

        return (IWorkerStartup)Activator.CreateInstance(type)!;
    }

    private static IAdmissionPolicy CreatePolicy(string typeName)
    {
        Type type = Type.GetType(typeName, throwOnError: false)
            ?? throw new ArgumentException($"--admission: the type '{typeName}' cannot be loaded. Give its assembly-qualified name, and deploy its assembly with the worker.");
        if (!typeof(IAdmissionPolicy).IsAssignableFrom(type) || type.GetConstructor(Type.EmptyTypes) is null)
        {
            throw new ArgumentException($"--admission: '{type.FullName}' must implement Wool.Admission.IAdmissionPolicy and have a public parameterless constructor.");
        }

        return (IAdmissionPolicy)Activator.CreateInstance(type)!;
    }
}
