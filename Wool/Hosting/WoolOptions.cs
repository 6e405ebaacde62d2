using Wool.Discovery;

namespace Wool.Hosting;

/// <summary>
/// The application's worker pool, as <c>services.AddWool()</c> builds it: bound from the
/// <c>Wool</c> configuration section (<c>appsettings.json</c>, environment variables such as
/// <c>Wool__Spawn=4</c>, command-line <c>--Wool:Spawn 4</c>), then adjusted by the code passed to
/// <c>AddWool</c>. Validated when the host starts: a contradiction fails the start with an
/// <see cref="Microsoft.Extensions.Options.OptionsValidationException"/> naming the setting.
/// Mutable (the options pattern); read once, at start.
/// </summary>
public sealed class WoolOptions
{
    /// <summary>The configuration section bound by default: <c>Wool</c>.</summary>
    public const string SectionName = "Wool";

    /// <summary>
    /// Worker processes to start on this machine: one per processor when null and
    /// <see cref="Discovery"/> is <c>none</c>; none when null with discovery. Kept at that number:
    /// a worker that dies is replaced.
    /// </summary>
    public int? Spawn { get; set; }

    /// <summary>
    /// Where to find workers started elsewhere: <c>none</c> (default), <c>local</c> (this machine),
    /// <c>lan</c> (mDNS on the local network), <c>static</c> (the addresses in <see cref="Workers"/>) or
    /// <c>dns</c> (the records of <see cref="Dns"/>) or <c>etcd</c> (the cluster at <see cref="EtcdEndpoints"/>).
    /// </summary>
    public string Discovery { get; set; } = "none";

    /// <summary>The discovery namespace workers publish in (required with <c>local</c>, <c>lan</c> or <c>etcd</c>).</summary>
    public string? Namespace { get; set; }

    /// <summary>A discovery of your own (code only; takes the place of <see cref="Discovery"/>).</summary>
    public IWorkerDiscovery? CustomDiscovery { get; set; }

    /// <summary>With <c>static</c> discovery: each worker's <c>host:port</c> (or <c>https://host:port</c>); see <see cref="StaticDiscovery"/>.</summary>
    public List<string> Workers { get; set; } = [];

    /// <summary>With <c>dns</c> discovery: the workers' DNS name; see <see cref="DnsDiscovery"/>.</summary>
    public WoolDnsOptions? Dns { get; set; }

    /// <summary>With <c>etcd</c> discovery: the etcd cluster's client URLs (<c>http://etcd:2379</c>); see <see cref="EtcdDiscovery"/>.</summary>
    public List<string> EtcdEndpoints { get; set; } = [];

    /// <summary>With discovery: use only workers carrying one of these tags.</summary>
    public List<string> Tags { get; set; } = [];

    /// <summary>With discovery: the most discovered workers used at once.</summary>
    public int? Lease { get; set; }

    /// <summary>How many workers the first call waits for (see <see cref="WorkerPoolOptions.Quorum"/>).</summary>
    public int? Quorum { get; set; }

    /// <summary>How long the first call waits for the quorum (default 30 s).</summary>
    public TimeSpan? QuorumTimeout { get; set; }

    /// <summary>After how much silence a worker is pinged, and declared lost when the ping goes unanswered as long (default 10 s).</summary>
    public TimeSpan? KeepAlive { get; set; }

    /// <summary>How long a worker may take to start (default 30 s).</summary>
    public TimeSpan? StartTimeout { get; set; }

    /// <summary>When the host stops, how long calls in flight may finish before they are cancelled (default 5 s).</summary>
    public TimeSpan? ShutdownGracePeriod { get; set; }

    /// <summary>Whether the host's start waits until the spawned workers serve (default true), so that the first requests do not wait and a worker that cannot start fails the start.</summary>
    public bool WaitForWorkers { get; set; } = true;

    /// <summary>Types that may travel beyond the application's own and the common framework types (see <see cref="WorkerPoolOptions.AllowedTypes"/>).</summary>
    public List<string> AllowedTypes { get; set; } = [];

    /// <summary>For workers found by a custom discovery: the file holding their access token.</summary>
    public string? AccessTokenFile { get; set; }

    /// <summary>The largest call, result or stream item in bytes (see <see cref="WorkerLimits.MaxMessageSize"/>).</summary>
    public int? MaxMessageSize { get; set; }

    /// <summary>How deeply values may nest (see <see cref="WorkerLimits.MaxValueDepth"/>).</summary>
    public int? MaxValueDepth { get; set; }

    /// <summary>TLS for the pool and the workers it spawns; none when null.</summary>
    public WoolTlsOptions? Tls { get; set; }

    /// <summary>The least severe log lines the spawned workers write (<c>Wool:WorkerLogLevel</c>; default Warning; see <see cref="WorkerPoolOptions.WorkerLogLevel"/>).</summary>
    public Microsoft.Extensions.Logging.LogLevel? WorkerLogLevel { get; set; }

    /// <summary>Levels for log categories of the spawned workers (<c>Wool:WorkerLogFilters:Wool.Workers=Debug</c>).</summary>
    public Dictionary<string, Microsoft.Extensions.Logging.LogLevel> WorkerLogFilters { get; set; } = [];
}
