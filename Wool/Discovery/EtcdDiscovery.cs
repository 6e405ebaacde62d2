using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Balancer;
using Grpc.Net.Client.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Wool.Discovery;

/// <summary>
/// Discovery through etcd: a published worker is a key (<c>/wool/{namespace}/workers/{id}</c>)
/// under a lease it keeps alive, so a worker that dies without leaving is dropped when its lease
/// expires (<see cref="EtcdDiscoveryOptions.LeaseTimeToLive"/>); subscribers list the prefix, then
/// watch it (no polling). Thread-safe; owns one gRPC channel to etcd, closed by
/// <see cref="DisposeAsync"/>.
/// </summary>
/// <remarks>
/// <para>etcd unreachable, at start or later, is never fatal: a subscriber keeps the workers it knows
/// and a worker stays registered as far as it can tell; both log one warning, retry with a backoff
/// (<see cref="EtcdDiscoveryOptions.MinRetryInterval"/> to <see cref="EtcdDiscoveryOptions.MaxRetryInterval"/>),
/// log when etcd is back, and then list again (a subscriber) or take a new lease (a worker whose
/// lease expired meanwhile).</para>
/// <para>Discovery is a hint, not a trust boundary: anyone who can write the prefix can name a worker,
/// and a pool still authenticates every worker it connects to. Values that are not worker records, or
/// larger than 64 KiB, are ignored.</para>
/// </remarks>
public sealed class EtcdDiscovery : IWorkerDiscovery, IAsyncDisposable, ILoggingDiscovery
{
    /// <summary>Keys read per request when listing.</summary>
    private const int PageSize = 8;

    /// <summary>The most workers one subscription keeps; more keys under the prefix are ignored.</summary>
    internal const int MaxWorkers = 4096;

    private readonly GrpcChannel _channel;
    private int _saidTooMany;
    private ILogger _logger;

    /// <summary>The workers of <paramref name="namespace"/> on the etcd cluster at <paramref name="endpoints"/> (<c>http://etcd:2379</c>, comma-separated for several).</summary>
    /// <exception cref="ArgumentException">An endpoint or the namespace is not valid.</exception>
    public EtcdDiscovery(string endpoints, string @namespace)
        : this(new EtcdDiscoveryOptions { Endpoints = (endpoints ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), Namespace = @namespace })
    {
    }

    /// <summary>The workers <paramref name="options"/> name.</summary>
    /// <param name="options">The endpoints, the namespace, the lease and the retry intervals.</param>
    /// <param name="logger">Where losing and regaining etcd is logged.</param>
    /// <exception cref="ArgumentException">An option is not valid; the message names it.</exception>
    public EtcdDiscovery(EtcdDiscoveryOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options.Validate();
        _logger = logger ?? NullLogger.Instance;
        _channel = Connect(options);
        Keys = new KV.KVClient(_channel);
        Leases = new Lease.LeaseClient(_channel);
    }

    /// <summary>Where workers are kept.</summary>
    public EtcdDiscoveryOptions Options { get; }

    internal KV.KVClient Keys { get; }

    internal Lease.LeaseClient Leases { get; }

    internal ILogger Logger => Volatile.Read(ref _logger);

    private volatile string? _lastFailure;

    string? ILoggingDiscovery.LastFailure => _lastFailure;

    void ILoggingDiscovery.UseLoggerIfNone(ILogger logger)
        => Interlocked.CompareExchange(ref _logger, logger, NullLogger.Instance);

    /// <summary>
    /// Registers <paramref name="worker"/> under a lease kept alive until the registration is
    /// disposed (which revokes it: pools drop the worker at once). Returns at once: the key is
    /// written in the background, and again whenever etcd comes back without it.
    /// </summary>
    public ValueTask<IWorkerRegistration> PublishAsync(WorkerInfo worker, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(worker);
        return new(new EtcdRegistration(this, worker));
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<DiscoveryEvent> SubscribeAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var changes = Channel.CreateUnbounded<DiscoveryEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        Task following = FollowAsync(changes.Writer, cancellationToken);
        while (true)
        {
            DiscoveryEvent change;
            try
            {
                if (!await changes.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false) || !changes.Reader.TryRead(out change!))
                {
                    break;
                }
            }
            catch (OperationCanceledException)
            {
                break;
            }

            yield return change;
        }

        await following.ConfigureAwait(false);
    }

    /// <summary>Closes the channel to etcd; subscriptions and registrations made through this instance stop working.</summary>
    public ValueTask DisposeAsync()
    {
        _channel.Dispose();
        return default;
    }

    /// <summary>Lists the prefix, then watches it from the listed revision; on any failure waits, then lists again.</summary>
    private async Task FollowAsync(ChannelWriter<DiscoveryEvent> changes, CancellationToken cancellationToken)
    {
        var known = new Dictionary<string, WorkerInfo>(StringComparer.Ordinal);
        var backoff = new EtcdBackoff(Options, Logger, "Following workers");
        ByteString prefix = ByteString.CopyFromUtf8(Options.WorkersPrefix), end = RangeEnd(Options.WorkersPrefix);
        var watcher = new Watch.WatchClient(_channel);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var (present, revision) = await ListAsync(prefix, end, cancellationToken).ConfigureAwait(false);
                foreach (string gone in known.Keys.Except(present.Keys).ToList())
                {
                    changes.TryWrite(new DiscoveryEvent(DiscoveryEventKind.Dropped, known[gone]));
                    known.Remove(gone);
                }

                foreach (var (key, worker) in present)
                {
                    changes.TryWrite(new DiscoveryEvent(known.TryAdd(key, worker) ? DiscoveryEventKind.Added : DiscoveryEventKind.Updated, worker));
                    known[key] = worker;
                }

                backoff.Succeeded(known.Count);
                _lastFailure = known.Count == 0 ? $"etcd at {string.Join(", ", Options.Endpoints)} has no worker under '{Options.WorkersPrefix}'" : null;
                using AsyncDuplexStreamingCall<WatchRequest, WatchResponse> watch = watcher.Watch(cancellationToken: cancellationToken);
                await watch.RequestStream.WriteAsync(new WatchRequest { CreateRequest = new WatchCreateRequest { Key = prefix, RangeEnd = end, StartRevision = revision + 1, Fragment = true } }, cancellationToken).ConfigureAwait(false);
                while (await watch.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false))
                {
                    WatchResponse response = watch.ResponseStream.Current;
                    if (response.Canceled || response.CompactRevision > 0)
                    {
                        break; // the watch cannot resume from where it was: list again
                    }

                    foreach (Mvccpb.Event change in response.Events)
                    {
                        Apply(known, change, changes);
                    }
                }
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                break; // cancelled (gRPC reports it as RpcException Cancelled too)
            }
            catch (Exception e)
            {
                _lastFailure = $"etcd at {string.Join(", ", Options.Endpoints)} is unreachable ({EtcdBackoff.Reason(e)})";
                // Whatever broke (a call, a stream already ended, a write after it), this loop must go on.
                await backoff.FailedAsync(EtcdBackoff.Reason(e), known.Count, cancellationToken).ConfigureAwait(false);
            }
        }

        changes.TryComplete();
    }

    /// <summary>
    /// The workers under the prefix and the revision they were read at, a few keys per request: one
    /// message holds at most <see cref="PageSize"/> values (etcd's largest value is 1.5 MiB), so large
    /// values written under the prefix cannot make the list exceed a message and hide every worker.
    /// </summary>
    private async Task<(Dictionary<string, WorkerInfo> Workers, long Revision)> ListAsync(ByteString prefix, ByteString end, CancellationToken cancellationToken)
    {
        var workers = new Dictionary<string, WorkerInfo>(StringComparer.Ordinal);
        long revision = 0;
        ByteString from = prefix;
        while (true)
        {
            RangeResponse page = await Keys.RangeAsync(new RangeRequest { Key = from, RangeEnd = end, Limit = PageSize, Revision = revision }, deadline: DateTime.UtcNow.AddSeconds(5), cancellationToken: cancellationToken).ConfigureAwait(false);
            revision = revision == 0 ? page.Header.Revision : revision;
            foreach (Mvccpb.KeyValue kv in page.Kvs)
            {
                string key = kv.Key.ToStringUtf8();
                if (Read(key, kv.Value) is { } worker)
                {
                    if (workers.Count < MaxWorkers)
                    {
                        workers[key] = worker;
                    }
                    else
                    {
                        TooMany();
                    }
                }
            }

            if (!page.More || page.Kvs.Count == 0)
            {
                return (workers, revision);
            }

            // The next page starts just after the last key read.
            from = ByteString.CopyFrom([.. page.Kvs[^1].Key.Span, 0]);
        }
    }

    // Said once per discovery: past the cap, each further key would repeat it.
    private void TooMany()
    {
        if (Interlocked.Exchange(ref _saidTooMany, 1) == 0)
        {
            DiscoveryLog.TooManyWorkers(Logger, Options.WorkersPrefix, 1, MaxWorkers, "EtcdDiscovery.MaxWorkers");
        }
    }

    /// <summary>A worker's record, when the value is one and names the worker its key names (a record cannot take another worker's id).</summary>
    private WorkerInfo? Read(string key, ByteString value)
        => WorkerRecord.Read(value.Span) is { } worker && key == Options.WorkersPrefix + worker.Id ? worker : null;

    private void Apply(Dictionary<string, WorkerInfo> known, Mvccpb.Event change, ChannelWriter<DiscoveryEvent> changes)
    {
        string key = change.Kv.Key.ToStringUtf8();
        WorkerInfo? worker = change.Type == Mvccpb.Event.Types.EventType.Put ? Read(key, change.Kv.Value) : null;
        if (worker is not null && !known.ContainsKey(key) && known.Count >= MaxWorkers)
        {
            TooMany();
            return;
        }

        if (worker is not null)
        {
            changes.TryWrite(new DiscoveryEvent(known.ContainsKey(key) ? DiscoveryEventKind.Updated : DiscoveryEventKind.Added, worker));
            known[key] = worker;
        }
        else if (known.Remove(key, out WorkerInfo? gone))
        {
            // Deleted, its lease expired, or overwritten with something that is not a worker.
            changes.TryWrite(new DiscoveryEvent(DiscoveryEventKind.Dropped, gone));
        }
    }

    /// <summary>The end of the range of keys starting with <paramref name="prefix"/>: the prefix with its last byte plus one.</summary>
    internal static ByteString RangeEnd(string prefix)
    {
        byte[] end = Encoding.UTF8.GetBytes(prefix);
        end[^1]++;
        return ByteString.CopyFrom(end);
    }

    private static GrpcChannel Connect(EtcdDiscoveryOptions options)
    {
        Uri[] endpoints = [.. options.Endpoints.Select(endpoint => new Uri(endpoint))];
        if (endpoints.Select(e => e.Scheme).Distinct().Count() > 1)
        {
            throw new ArgumentException("EtcdDiscoveryOptions.Endpoints mixes http:// and https://; an etcd cluster serves one or the other.", nameof(options));
        }

        var services = new ServiceCollection();
        services.AddSingleton<ResolverFactory>(new StaticResolverFactory(_ => endpoints.Select(e => new BalancerAddress(e.Host, e.Port))));
        return GrpcChannel.ForAddress("static:///etcd", new GrpcChannelOptions
        {
            Credentials = endpoints[0].Scheme == Uri.UriSchemeHttps ? ChannelCredentials.SecureSsl : ChannelCredentials.Insecure,
            ServiceProvider = services.BuildServiceProvider(),
            ServiceConfig = new ServiceConfig { LoadBalancingConfigs = { new RoundRobinConfig() } },
            // A silent etcd (a partition, not a closed socket) is noticed by the pings, so a watch fails over instead of hanging.
            HttpHandler = new SocketsHttpHandler
            {
                ConnectTimeout = TimeSpan.FromSeconds(5),
                KeepAlivePingDelay = TimeSpan.FromSeconds(5),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(5),
                KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
                EnableMultipleHttp2Connections = true,
            },
            MaxReceiveMessageSize = 16 * 1024 * 1024,
            // gRPC's own reconnect backoff grows to two minutes; a restarted etcd must be seen within a
            // fraction of a worker's lease, or its lease expires before it can renew it.
            InitialReconnectBackoff = TimeSpan.FromMilliseconds(200),
            MaxReconnectBackoff = TimeSpan.FromSeconds(1),
        });
    }
}
