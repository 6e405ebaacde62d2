using Microsoft.Extensions.Logging;

namespace Wool;

/// <summary>How a <see cref="WorkerPool"/> starts, logs and stops its workers. Immutable: use <c>with</c> to derive.</summary>
public sealed record WorkerPoolOptions
{
    /// <summary>The defaults: no logging, a 5-second shutdown grace period, a 30-second start timeout.</summary>
    public static WorkerPoolOptions Default { get; } = new();

    /// <summary>
    /// Where the pool logs (workers started, lost, stopped) and where workers' stdout/stderr lines
    /// go. When null, the pool does not log and workers' output is forwarded to this process's
    /// console, prefixed with the worker's process id.
    /// </summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>
    /// When the pool is disposed, how long in-flight calls may run before their cancellation
    /// tokens are cancelled. Workers that have not exited shortly after are killed.
    /// </summary>
    public TimeSpan ShutdownGracePeriod { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a worker process may take to start serving before the pool gives up on it.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// With discovery: use only discovered workers that carry at least one of these tags. Workers
    /// the pool spawns itself are always used.
    /// </summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>With discovery: the most discovered workers the pool uses at once (null: no limit).</summary>
    public int? Lease { get; init; }

    /// <summary>
    /// How many workers the first dispatch waits for (up to <see cref="QuorumTimeout"/>). Null: all
    /// spawned workers, and at least one worker in a pool that only discovers. The quorum's spawned
    /// workers start first and take calls as soon as they serve; the others start after them and
    /// join when they serve. On a small machine, <c>Quorum = 1</c> gives the first result soonest
    /// (the first calls then all run on the first worker).
    /// </summary>
    public int? Quorum { get; init; }

    /// <summary>How long the first dispatch waits for the quorum before failing with NoWorkersAvailableException.</summary>
    public TimeSpan QuorumTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The admission policy the pool's spawned workers apply to each call (a type implementing
    /// <see cref="Admission.IAdmissionPolicy"/> with a public parameterless constructor); none when null.
    /// </summary>
    public Type? AdmissionPolicy { get; init; }

    /// <summary>
    /// How a silently dead worker (no answer, no closed socket: a frozen process, a lost network) is
    /// detected: the pool pings it after this much silence and, when the ping goes unanswered as
    /// long, fails its calls with <see cref="WorkerLostException"/>. Default 10 s.
    /// </summary>
    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Orders the workers each call may go to; round-robin when null.</summary>
    public LoadBalancing.ILoadBalancer? LoadBalancer { get; init; }

    /// <summary>
    /// TLS credentials: the pool's spawned workers serve over TLS with them, and the pool uses only
    /// workers that authenticate with them (discovered workers that announce no TLS are ignored).
    /// Null (the default): no TLS, and only workers without TLS are used; such workers listen on
    /// loopback only unless started with <c>--insecure-listen-on-network</c>. See the README's Security section.
    /// </summary>
    public Security.WorkerCredentials? Credentials { get; init; }

    /// <summary>
    /// Types that may travel beyond the default rule, which allows the application's own assemblies
    /// (the projects of its dependency file), common framework types (primitives, strings, enums,
    /// common value types, data-only collections, tuples) and framework exceptions. Each entry is
    /// <c>assembly:SomePackage</c> (every type of an assembly), <c>Some.Namespace.*</c> or a full type
    /// name. This process rebuilds them from its workers' replies, and the pool's spawned workers
    /// from its calls (<c>--allow-type</c>; durable workers take the same option). A payload carrying
    /// another type fails that call alone with a <see cref="WoolSerializationException"/> naming the
    /// type and this option; an exception of another type arrives as a <see cref="RemoteException"/>.
    /// </summary>
    public IReadOnlyList<string> AllowedTypes { get; init; } = [];

    /// <summary>
    /// What one caller may take of a worker: the largest message (which this pool applies to its own
    /// calls and replies too), and the calls, streams and connections a worker serves at once. Given
    /// to the workers this pool spawns; durable workers take theirs on their command line (pools and
    /// workers must agree on the message size). <see cref="WorkerLimits.Default"/> when not set.
    /// </summary>
    public WorkerLimits Limits { get; init; } = WorkerLimits.Default;

    /// <summary>
    /// For workers without TLS found by a custom discovery: the file holding their access token (the
    /// workers' <c>--access-token-file</c>; made, mode 0600, when missing). Workers the pool spawns,
    /// and those of a <see cref="Discovery.LocalDiscovery"/> namespace, need none: their tokens are
    /// handled for you. Null: present no token to discovered workers.
    /// </summary>
    public string? AccessTokenFile { get; init; }

    /// <summary>
    /// The least severe log lines spawned workers write (default <see cref="LogLevel.Warning"/>); their
    /// lines reach <see cref="LoggerFactory"/> under <c>Wool.Workers.Output</c>. Durable workers take
    /// <c>--log-level</c> / <c>WOOL_LOG_LEVEL</c>.
    /// </summary>
    public LogLevel WorkerLogLevel { get; init; } = LogLevel.Warning;

    /// <summary>Levels for log categories of spawned workers (and the categories below them), e.g. <c>["Wool.Workers"] = LogLevel.Debug</c>.</summary>
    public IReadOnlyDictionary<string, LogLevel> WorkerLogFilters { get; init; } = new Dictionary<string, LogLevel>();

    /// <summary>
    /// The <see cref="IWorkerStartup"/> spawned workers run before they serve (their telemetry
    /// exporters, say). Null (the default): the one the entry assembly names with
    /// <see cref="WorkerStartupAttribute"/>, if any. Durable workers take <c>--startup</c> / <c>WOOL_STARTUP</c>.
    /// </summary>
    public Type? WorkerStartup { get; init; }

    /// <summary>The startup spawned workers run: <see cref="WorkerStartup"/>, or the entry assembly's.</summary>
    internal Type? EffectiveWorkerStartup
        => WorkerStartup ?? System.Reflection.Assembly.GetEntryAssembly()?.GetCustomAttributes(typeof(WorkerStartupAttribute), inherit: false).OfType<WorkerStartupAttribute>().FirstOrDefault()?.StartupType;

    /// <summary>
    /// Spawned workers listen on TCP loopback (with the access token) instead of Unix domain sockets
    /// in a private folder. For the benchmark's comparison of the two, and platforms without such sockets.
    /// </summary>
    internal bool ListenOnLoopback { get; init; }

    /// <summary>
    /// Checks these options against the pool they configure; returns the quorum the pool waits for.
    /// </summary>
    /// <exception cref="ArgumentException">The options contradict each other or the pool's mode.</exception>
    internal int Validate(int spawn, bool discovers)
    {
        if (!discovers && (Lease is not null || Tags.Count > 0))
        {
            throw new ArgumentException("Lease and Tags select discovered workers; this pool has no discovery. Pass a discovery, or remove them.", "options");
        }

        if (WorkerLogFilters.Keys.FirstOrDefault(category => category.Length == 0 || category.Contains('=', StringComparison.Ordinal)) is { } badCategory)
        {
            throw new ArgumentException($"WorkerLogFilters: '{badCategory}' is not a log category (a name such as Wool.Workers, without '=').", "options");
        }

        if (EffectiveWorkerStartup is { } startup && WorkerStartupAttribute.Problem(startup) is { } problem)
        {
            string source = WorkerStartup is null ? $"[assembly: WorkerStartup] of {startup.Assembly.GetName().Name}" : "WorkerPoolOptions.WorkerStartup";
            throw new ArgumentException($"The worker startup '{startup.FullName}' ({source}) {problem}.", "options");
        }

        if (!discovers && AccessTokenFile is not null)
        {
            throw new ArgumentException("AccessTokenFile is the token presented to discovered workers; this pool has no discovery. Pass a discovery, or remove it.", "options");
        }

        Limits.Validate(nameof(WorkerPoolOptions));
        if (AllowedTypes.Count > 0)
        {
            _ = Serialization.Types.TypeAllowList.Parse(AllowedTypes);
        }

        if (spawn > 0 && Credentials is { CertificateFile: null })
        {
            throw new ArgumentException("The pool's credentials have no certificate, so the workers it spawns could not serve TLS. Give WorkerCredentials a certificate and key, or spawn no workers.", "options");
        }

        if (Lease is <= 0)
        {
            throw new ArgumentException($"A lease of {Lease} admits no discovered worker. Use a positive lease, or no discovery.", "options");
        }

        int quorum = Quorum ?? Math.Max(1, spawn);
        int reachable = !discovers ? spawn : Lease is { } lease ? spawn + lease : int.MaxValue;
        if (quorum <= 0 || quorum > reachable)
        {
            throw new ArgumentException($"A quorum of {quorum} can never be reached by this pool (it can have at most {reachable} workers).", "options");
        }

        return quorum;
    }
}
