using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using DnsClient;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Wool.Discovery;

/// <summary>
/// Workers behind a DNS name, as a Kubernetes headless Service, Consul DNS or docker compose
/// publish them: the name's A/AAAA records with a port you give, or its SRV records (target and
/// port). The name is looked up again when its records expire (their TTL, bounded by
/// <see cref="DnsDiscoveryOptions.MinInterval"/> and <see cref="DnsDiscoveryOptions.MaxInterval"/>),
/// and each change becomes <see cref="DiscoveryEventKind.Added"/> or
/// <see cref="DiscoveryEventKind.Dropped"/>. Workers do not publish: the orchestrator does.
/// Thread-safe; each subscription looks up on its own.
/// </summary>
/// <remarks>
/// <para>A name that does not exist, or has no records, means no workers: every known worker is
/// dropped (a Service with no ready pod answers so). A lookup that fails (no answer, a server
/// failure) changes nothing: the workers known stay in use, the failure is logged once, and the
/// lookup is retried with a backoff from <c>MinInterval</c> to <c>MaxInterval</c>.</para>
/// <para>Each address is one worker, its id the address itself. SRV priority and weight are not
/// used: every target is a worker. Discovery is a hint, not a trust boundary: a pool still
/// authenticates every worker it connects to.</para>
/// </remarks>
public sealed class DnsDiscovery : IWorkerDiscovery, ILoggingDiscovery
{
    private readonly Lock _gate = new();
    private LookupClient? _client;
    private ILogger _logger;

    /// <summary>The workers of <paramref name="name"/>: its A records on <paramref name="port"/>, or its SRV records when no port is given.</summary>
    /// <exception cref="ArgumentException">The name or port is not valid.</exception>
    public DnsDiscovery(string name, int? port = null)
        : this(new DnsDiscoveryOptions { Name = name, Port = port })
    {
    }

    /// <summary>The workers <paramref name="options"/> name.</summary>
    /// <param name="options">The name, the port or SRV, the servers and the intervals.</param>
    /// <param name="logger">Where failed lookups are logged (a warning when they start failing, information when they recover).</param>
    /// <exception cref="ArgumentException">An option is not valid; the message names it.</exception>
    public DnsDiscovery(DnsDiscoveryOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options.Validate();
        _logger = logger ?? NullLogger.Instance;
    }

    // Made at the first lookup, and again after a failure to make it: /etc/resolv.conf may be written after start.
    private LookupClient GetClient()
    {
        lock (_gate)
        {
            return _client ??= Client(Options);
        }
    }

    private static LookupClient Client(DnsDiscoveryOptions options)
    {
        IReadOnlyList<IPEndPoint> servers = options.NameServers.Count > 0 ? options.NameServers : ResolvConf.NameServers();
        if (servers.Count == 0)
        {
            throw new DnsLookupFailure($"no DNS server to ask: {ResolvConf.Path} names none; give DnsDiscoveryOptions.NameServers (--dns-server, Wool:Dns:Servers)");
        }

        var settings = new LookupClientOptions([.. servers]);
        // The records' own TTL decides when to look again: a cache would only hide changes.
        settings.UseCache = false;
        settings.Timeout = options.QueryTimeout;
        settings.Retries = 1;
        settings.ThrowDnsErrors = false;
        settings.ContinueOnDnsError = false;
        return new LookupClient(settings);
    }

    /// <summary>What is looked up, and how often.</summary>
    public DnsDiscoveryOptions Options { get; }

    private volatile string? _lastFailure;

    string? ILoggingDiscovery.LastFailure => _lastFailure;

    void ILoggingDiscovery.UseLoggerIfNone(ILogger logger)
        => Interlocked.CompareExchange(ref _logger, logger, NullLogger.Instance);

    /// <summary>Does nothing: the orchestrator publishes a worker's records, not the worker.</summary>
    public ValueTask<IWorkerRegistration> PublishAsync(WorkerInfo worker, CancellationToken cancellationToken) => new(NoRegistration.Instance);

    /// <inheritdoc />
    public async IAsyncEnumerable<DiscoveryEvent> SubscribeAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var known = new Dictionary<string, WorkerInfo>(StringComparer.Ordinal);
        TimeSpan retry = Options.MinInterval;
        bool failing = false, capped = false;
        DateTime announced = DateTime.UtcNow;
        while (!cancellationToken.IsCancellationRequested)
        {
            DnsAnswer? answer = await LookupAsync(cancellationToken).ConfigureAwait(false);
            if (answer is null)
            {
                yield break;
            }

            TimeSpan wait;
            if (answer.Error is { } error)
            {
                if (!failing)
                {
                    DiscoveryLog.DnsLookupFailed(Volatile.Read(ref _logger), Options.Name, error, known.Count);
                }

                failing = true;
                _lastFailure = $"looking up '{Options.Name}' failed ({error})";
                wait = retry;
                retry = TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, Options.MaxInterval.Ticks));
            }
            else
            {
                if (failing)
                {
                    DiscoveryLog.DnsLookupRecovered(Volatile.Read(ref _logger), Options.Name, answer.Workers.Count);
                }

                if (answer.Ignored > 0 && !capped)
                {
                    DiscoveryLog.TooManyWorkers(Volatile.Read(ref _logger), Options.Name, answer.Ignored, Options.MaxWorkers, "DnsDiscoveryOptions.MaxWorkers");
                }

                capped = answer.Ignored > 0;
                failing = false;
                _lastFailure = answer.Workers.Count == 0 ? $"'{Options.Name}' has no {(Options.Port is null ? "SRV" : "A or AAAA")} records" : null;
                retry = Options.MinInterval;
                bool reannounce = DateTime.UtcNow - announced >= Options.MaxInterval;
                announced = reannounce ? DateTime.UtcNow : announced;
                foreach (DiscoveryEvent change in Apply(known, answer.Workers, reannounce))
                {
                    yield return change;
                }

                wait = TimeSpan.FromTicks(Math.Clamp(answer.TimeToLive.Ticks, Options.MinInterval.Ticks, Options.MaxInterval.Ticks));
            }

            await Task.Delay(wait, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>The workers the name has now; null when cancelled.</summary>
    internal async Task<DnsAnswer?> LookupAsync(CancellationToken cancellationToken)
    {
        try
        {
            DnsAnswer answer = Options.Port is int port
                ? await AddressesAsync(Options.Name, port, cancellationToken).ConfigureAwait(false)
                : await ServicesAsync(cancellationToken).ConfigureAwait(false);
            return answer.Workers.Count <= Options.MaxWorkers
                ? answer
                : answer with { Workers = [.. answer.Workers.Take(Options.MaxWorkers)], Ignored = answer.Ignored + answer.Workers.Count - Options.MaxWorkers };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return null;
        }
        catch (Exception e)
        {
            // Whatever failed (the server, the network, the machine's resolver settings), the workers known stay.
            return DnsAnswer.Failed(e is OperationCanceledException ? $"no answer within {Options.QueryTimeout.TotalSeconds:0.#} s" : e.Message);
        }
    }

    private async Task<DnsAnswer> ServicesAsync(CancellationToken cancellationToken)
    {
        IDnsQueryResponse response = await QueryAsync(Options.Name, QueryType.SRV, cancellationToken).ConfigureAwait(false);
        var workers = new List<WorkerInfo>();
        TimeSpan ttl = TimeToLive(response.Answers);
        var services = response.Answers.SrvRecords().Where(srv => srv.Target.Value != ".").ToList();
        foreach (var service in services.Take(Options.MaxWorkers))
        {
            // A server usually sends the targets' addresses along; otherwise they are asked for.
            IPAddress[] given = [.. response.Additionals.AddressRecords().Where(a => a.DomainName.Value == service.Target.Value).Select(a => a.Address)];
            if (given.Length > 0)
            {
                workers.AddRange(given.Select(address => Worker(address, service.Port)));
            }
            else
            {
                DnsAnswer target = await AddressesAsync(service.Target.Value, service.Port, cancellationToken).ConfigureAwait(false);
                workers.AddRange(target.Workers);
                ttl = target.TimeToLive < ttl ? target.TimeToLive : ttl;
            }
        }

        return new DnsAnswer(workers, ttl) { Ignored = Math.Max(0, services.Count - Options.MaxWorkers) };
    }

    private async Task<DnsAnswer> AddressesAsync(string name, int port, CancellationToken cancellationToken)
    {
        QueryType first = Options.PreferIPv6 ? QueryType.AAAA : QueryType.A;
        IDnsQueryResponse response = await QueryAsync(name, first, cancellationToken).ConfigureAwait(false);
        if (!response.Answers.AddressRecords().Any())
        {
            response = await QueryAsync(name, first == QueryType.A ? QueryType.AAAA : QueryType.A, cancellationToken).ConfigureAwait(false);
        }

        return new DnsAnswer([.. response.Answers.AddressRecords().Select(record => Worker(record.Address, port))], TimeToLive(response.Answers));
    }

    /// <summary>An answer, or none for a name that does not exist; any other error code is a failed lookup.</summary>
    private async Task<IDnsQueryResponse> QueryAsync(string name, QueryType type, CancellationToken cancellationToken)
    {
        IDnsQueryResponse response = await GetClient().QueryAsync(name, type, QueryClass.IN, cancellationToken).ConfigureAwait(false);
        return !response.HasError || response.Header.ResponseCode == DnsHeaderResponseCode.NotExistentDomain
            ? response
            : throw new DnsLookupFailure($"{type} {name}: {response.ErrorMessage} from {response.NameServer}");
    }

    private WorkerInfo Worker(IPAddress address, int port)
    {
        string host = address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        var uri = new Uri($"{(Options.Secure ? "https" : "http")}://{host}:{port}");
        return new WorkerInfo(uri.AbsoluteUri, uri, ProcessId: 0) { Secure = Options.Secure };
    }

    private TimeSpan TimeToLive(IEnumerable<DnsClient.Protocol.DnsResourceRecord> records)
        => records.Select(r => TimeSpan.FromSeconds(r.TimeToLive)).DefaultIfEmpty(Options.MinInterval).Min();

    /// <summary>The changes from <paramref name="known"/> to <paramref name="now"/>, applied to <paramref name="known"/>.</summary>
    /// <param name="known">The workers announced so far, updated.</param>
    /// <param name="now">The workers of the latest answer.</param>
    /// <param name="reannounce">Whether workers still present are announced again (<see cref="DiscoveryEventKind.Updated"/>), at most every <c>MaxInterval</c>: enough for a pool to reconnect one it lost, without re-dialling refused addresses at every lookup.</param>
    internal static List<DiscoveryEvent> Apply(Dictionary<string, WorkerInfo> known, IReadOnlyList<WorkerInfo> now, bool reannounce = true)
    {
        var changes = new List<DiscoveryEvent>();
        var present = now.DistinctBy(w => w.Id).ToDictionary(w => w.Id, StringComparer.Ordinal);
        foreach (string gone in known.Keys.Where(id => !present.ContainsKey(id)).ToList())
        {
            changes.Add(new DiscoveryEvent(DiscoveryEventKind.Dropped, known[gone]));
            known.Remove(gone);
        }

        foreach (WorkerInfo worker in present.Values)
        {
            if (known.TryAdd(worker.Id, worker))
            {
                changes.Add(new DiscoveryEvent(DiscoveryEventKind.Added, worker));
            }
            else if (reannounce)
            {
                // Still there: announced again, so a pool reconnects a worker it lost (one restarted at the same address).
                changes.Add(new DiscoveryEvent(DiscoveryEventKind.Updated, worker));
            }
        }

        return changes;
    }

    /// <summary>The workers found and how long their records live, or why the lookup failed.</summary>
    internal sealed record DnsAnswer(IReadOnlyList<WorkerInfo> Workers, TimeSpan TimeToLive)
    {
        /// <summary>Records (addresses or SRV targets) left out for <see cref="DnsDiscoveryOptions.MaxWorkers"/>.</summary>
        public int Ignored { get; init; }

        public string? Error { get; private init; }

        public static DnsAnswer Failed(string error) => new([], TimeSpan.Zero) { Error = error };
    }

    private sealed class DnsLookupFailure(string message) : Exception(message);

    /// <summary>The machine's DNS servers, as <c>/etc/resolv.conf</c> names them (as a Kubernetes pod's names the cluster DNS).</summary>
    private static class ResolvConf
    {
        public const string Path = "/etc/resolv.conf";

        public static IReadOnlyList<IPEndPoint> NameServers()
        {
            try
            {
                return [.. File.ReadLines(Path)
                    .Select(line => line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))
                    .Where(words => words is ["nameserver", _, ..] && IPAddress.TryParse(words[1].Split('%')[0], out _))
                    .Select(words => new IPEndPoint(IPAddress.Parse(words[1].Split('%')[0]), 53))];
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return [];
            }
        }
    }
}
