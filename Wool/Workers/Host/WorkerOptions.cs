using System.Net;
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

    /// <summary>
    /// <c>--health-listen</c>: an address where the worker also serves the standard gRPC health
    /// service (<c>grpc.health.v1.Health</c>) and nothing else, without TLS or token, for an
    /// orchestrator's probes; null for none. SERVING while the worker takes calls, NOT_SERVING once
    /// it is stopping.
    /// </summary>
    public IPEndPoint? HealthListen { get; init; }

    /// <summary>
    /// <c>--advertise host[:port]</c>: the address to publish instead of the one listened on (a pod's
    /// IP, a DNS name, a NAT's outside address); null to publish the listening address.
    /// </summary>
    public string? Advertise { get; init; }

    /// <summary>The discovery namespace to publish in and find peers in (<c>--namespace</c>).</summary>
    public string? DiscoveryNamespace { get; init; }

    /// <summary><c>local</c> (this machine), <c>lan</c> (mDNS), <c>dns</c>, <c>static</c> or <c>none</c>.</summary>
    public string DiscoveryMode { get; init; } = "none";

    /// <summary>With <c>dns</c> or <c>static</c>: where the worker finds its peers (it publishes nothing there), made with the worker's logger.</summary>
    public Func<Microsoft.Extensions.Logging.ILogger, Discovery.IWorkerDiscovery>? DiscoveryFactory { get; init; }

    /// <summary>
    /// <c>--insecure-listen-on-network</c>: listen on a non-loopback address without TLS. Anyone who
    /// can reach the port can run code as this process; the worker logs a warning at start.
    /// </summary>
    public bool InsecureNetwork { get; init; }

    /// <summary>The worker's TLS credentials (<c>--tls-authority</c>, <c>--tls-certificate</c>, <c>--tls-key</c>); null to serve without TLS, on loopback only.</summary>
    public Security.WorkerCredentials? Credentials { get; init; }

    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Types the worker rebuilds from payloads beyond the application's and the vetted framework types (<c>--allow-type</c>, repeatable).</summary>
    public IReadOnlyList<string> AllowedTypes { get; init; } = [];

    /// <summary>A folder to load the application's assemblies from, besides the worker's own.</summary>
    public string? Assemblies { get; init; }

    /// <summary>The admission policy (<c>--admission "Type, Assembly"</c>), created at start.</summary>
    public IAdmissionPolicy? Admission { get; init; }

    /// <summary>The application's worker startup (<c>--startup "Type, Assembly"</c>), created at start; it configures the host's services.</summary>
    public IWorkerStartup? Startup { get; init; }

    /// <summary>Whether routines this worker lacks run with code their caller ships (<c>--accept-code</c>).</summary>
    public bool AcceptCode { get; init; }

    /// <summary>The mutual-TLS caller identities whose code this worker runs (<c>--accept-code-from</c>).</summary>
    public IReadOnlyList<string> AcceptCodeFrom { get; init; } = [];

    /// <summary>Where shipped code is kept (<c>--code-cache</c>); the user's cache folder when null.</summary>
    public string? CodeCache { get; init; }

    /// <summary>How long a shipped build may go without calls before it is unloaded (<c>--code-idle-unload</c>); null: never.</summary>
    public TimeSpan? CodeIdleUnload { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary><c>--log-level</c>: the least severe log lines written (default <see cref="Microsoft.Extensions.Logging.LogLevel.Warning"/>).</summary>
    public Microsoft.Extensions.Logging.LogLevel LogLevel { get; init; } = Microsoft.Extensions.Logging.LogLevel.Warning;

    /// <summary><c>--log-filter category=level</c>: levels for categories (and the categories below them).</summary>
    public IReadOnlyDictionary<string, Microsoft.Extensions.Logging.LogLevel> LogFilters { get; init; } = new Dictionary<string, Microsoft.Extensions.Logging.LogLevel>();

    /// <summary>What one caller may take of this worker (<c>--max-…</c>).</summary>
    public WorkerLimits Limits { get; init; } = WorkerLimits.Default;

    /// <summary>Reads a worker's command line (see <see cref="WorkerCommandLine"/>).</summary>
    /// <exception cref="ArgumentException">An option is unknown, incomplete, or contradicts another; the message says which.</exception>
    public static WorkerOptions Parse(ReadOnlySpan<string> args) => WorkerCommandLine.Parse(args);
}
