using System.Net;
using System.Net.Sockets;
using Wool.Admission;

namespace Wool.Workers.Host;

/// <summary>A worker process's command line.</summary>
/// <param name="Listen">Where to serve: an IP endpoint, a Unix domain socket (<c>unix:/path</c>), or null for the default (see <see cref="WorkerHost"/>).</param>
/// <param name="ExitWithParent">Whether a pool spawned this worker: it ends with the pool's process.</param>
/// <param name="DefaultGracePeriod">How long calls may run after SIGTERM.</param>
internal sealed record WorkerOptions(EndPoint? Listen, bool ExitWithParent, TimeSpan DefaultGracePeriod)
{
    /// <summary>
    /// <c>--access-token-from-stdin</c>: the pool that spawned this worker writes the access token and
    /// the owner token as the first two lines of its stdin (never on the command line, which any
    /// local user can read).
    /// </summary>
    public bool TokensFromStdin { get; init; }

    /// <summary><c>--access-token-file</c>: a private file (0600) holding the access token callers must present; made when missing.</summary>
    public string? AccessTokenFile { get; init; }

    /// <summary>The token every caller must present (a worker without TLS always has one); read at start.</summary>
    public Security.AccessToken? AccessToken { get; init; }

    /// <summary>The token of the pool that spawned this worker, the only caller whose peer lists it takes; null for a durable worker.</summary>
    public Security.AccessToken? OwnerToken { get; init; }

    /// <summary>The pool's process id (<c>--parent-pid</c>), to tell whether it died before this worker bound itself to it.</summary>
    public int? ParentProcessId { get; init; }

    /// <summary>The discovery namespace to publish in and find peers in (<c>--namespace</c>).</summary>
    public string? DiscoveryNamespace { get; init; }

    /// <summary><c>local</c> (this machine) or <c>lan</c> (mDNS); meaningful with a namespace.</summary>
    public string DiscoveryMode { get; init; } = "none";

    /// <summary>
    /// <c>--insecure-listen-on-network</c>: listen on a non-loopback address without TLS. Anyone who
    /// can reach the port can run code as this process; the worker logs a warning at start.
    /// </summary>
    public bool InsecureNetwork { get; init; }

    /// <summary>The worker's TLS credentials (<c>--tls-authority</c>, <c>--tls-certificate</c>, <c>--tls-key</c>); null to serve without TLS, on loopback only.</summary>
    public Security.WorkerCredentials? Credentials { get; init; }

    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>The only types the worker rebuilds from payloads (<c>--allow-type</c>, repeatable); null: any type.</summary>
    public Serialization.TypeAllowList? AllowedTypes { get; init; }

    /// <summary>A folder to load the application's assemblies from, besides the worker's own.</summary>
    public string? Assemblies { get; init; }

    /// <summary>The admission policy (<c>--admission "Type, Assembly"</c>), created at start.</summary>
    public IAdmissionPolicy? Admission { get; init; }

    public const string Usage = "Options: --listen <address:port | unix:/path/to/socket>, --access-token-file <file> | --access-token-from-stdin, --tls-authority <ca.pem> --tls-certificate <cert.pem> --tls-key <key.pem> [--tls-one-way] [--tls-worker-identity <dns name>] [--tls-caller-identity <dns name>]..., --insecure-listen-on-network, --discovery local|lan|none, --namespace <name>, --tag <tag> (repeatable), --assemblies <folder>, --admission <type, assembly>, --allow-type <assembly:name | namespace.* | type> (repeatable), --exit-with-parent [--parent-pid <pid>].";

    public static WorkerOptions Parse(ReadOnlySpan<string> args)
    {
        EndPoint? listen = null;
        bool tokensFromStdin = false;
        string? tokenFile = null;
        bool exitWithParent = false;
        int? parentProcessId = null;
        bool insecureNetwork = false;
        string discovery = "none";
        string? @namespace = null;
        string? assemblies = null;
        string? admission = null;
        string? authority = null, certificate = null, key = null, identity = null;
        var callers = new List<string>();
        bool oneWay = false;
        var tags = new List<string>();
        var allowed = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            string value = i + 1 < args.Length ? args[i + 1] : "";
            switch (args[i])
            {
                case "--listen" when value.Length > 0:
                    listen = ParseListen(value);
                    i++;
                    break;
                case "--access-token-from-stdin":
                    tokensFromStdin = true;
                    break;
                case "--access-token-file" when value.Length > 0:
                    tokenFile = Path.GetFullPath(value);
                    i++;
                    break;
                case "--tls-authority" when value.Length > 0:
                    authority = value;
                    i++;
                    break;
                case "--tls-certificate" when value.Length > 0:
                    certificate = value;
                    i++;
                    break;
                case "--tls-key" when value.Length > 0:
                    key = value;
                    i++;
                    break;
                case "--tls-worker-identity" when value.Length > 0:
                    identity = value;
                    i++;
                    break;
                case "--tls-caller-identity" when value.Length > 0:
                    callers.Add(value);
                    i++;
                    break;
                case "--tls-one-way":
                    oneWay = true;
                    break;
                case "--insecure-listen-on-network":
                    insecureNetwork = true;
                    break;
                case "--discovery" when value is "local" or "lan" or "none":
                    discovery = value;
                    i++;
                    break;
                case "--namespace" when value.Length > 0:
                    @namespace = value;
                    i++;
                    break;
                case "--tag" when value.Length > 0:
                    tags.Add(value);
                    i++;
                    break;
                case "--assemblies" when value.Length > 0:
                    assemblies = Directory.Exists(value) ? Path.GetFullPath(value) : throw new ArgumentException($"--assemblies: the folder '{value}' does not exist.");
                    i++;
                    break;
                case "--allow-type" when value.Length > 0:
                    allowed.Add(value);
                    i++;
                    break;
                case "--admission" when value.Length > 0:
                    admission = value;
                    i++;
                    break;
                case "--exit-with-parent":
                    exitWithParent = true;
                    break;
                case "--parent-pid" when int.TryParse(value, out int parent):
                    parentProcessId = parent;
                    i++;
                    break;
                default:
                    throw new ArgumentException($"Unknown or incomplete worker option '{args[i]}'. {Usage}");
            }
        }

        if (discovery != "none" && @namespace is null)
        {
            throw new ArgumentException($"--discovery {discovery} needs --namespace <name>: only pools and workers of the same namespace see each other.");
        }

        if (discovery == "none" && @namespace is not null)
        {
            throw new ArgumentException("--namespace is only meaningful with --discovery local.");
        }

        Security.WorkerCredentials? credentials = null;
        if (authority is not null || certificate is not null || key is not null)
        {
            if (authority is null || certificate is null || key is null)
            {
                throw new ArgumentException("TLS needs all three of --tls-authority, --tls-certificate and --tls-key.");
            }

            credentials = Security.WorkerCredentials.FromPemFiles(authority, certificate, key, mutual: !oneWay, workerIdentity: identity, callerIdentities: callers);
        }
        else if (oneWay || identity is not null || callers.Count > 0)
        {
            throw new ArgumentException("--tls-one-way, --tls-worker-identity and --tls-caller-identity need --tls-authority, --tls-certificate and --tls-key.");
        }

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

        return new WorkerOptions(listen, exitWithParent, TimeSpan.FromSeconds(10))
        {
            ParentProcessId = parentProcessId,
            TokensFromStdin = tokensFromStdin,
            AccessTokenFile = tokenFile,
            DiscoveryNamespace = @namespace,
            DiscoveryMode = discovery,
            InsecureNetwork = insecureNetwork,
            Credentials = credentials,
            AllowedTypes = allowed.Count == 0 ? null : Serialization.TypeAllowList.Parse(allowed),
            Tags = tags,
            Assemblies = assemblies,
            Admission = admission is null ? null : CreatePolicy(admission),
        };
    }

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
