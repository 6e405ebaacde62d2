using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Makaretu.Dns;
using Wool.Workers;

namespace Wool.Discovery;

/// <summary>
/// Discovery on a local network with DNS-SD over multicast DNS (224.0.0.251:5353): a published
/// worker announces a <c>_wool._tcp.local</c> service instance every <see cref="AnnounceInterval"/>
/// with a time-to-live of three intervals, and says goodbye (TTL 0) when its registration is
/// disposed; subscribers drop a worker when its announcements expire, so a crashed worker
/// disappears within three intervals. Only workers of the same namespace are seen.
/// </summary>
/// <remarks>
/// The records are built with Makaretu.Dns; the multicast socket is Wool's own (Makaretu.Dns.Multicast
/// does not load with the IPNetwork2 version served today). Announcements go out on every
/// multicast-capable, non-loopback IPv4 interface. Discovery is a hint, not a trust boundary.
/// </remarks>
public sealed class LanDiscovery : IWorkerDiscovery
{
    private const string ServiceName = "_wool._tcp.local";
    private static readonly IPEndPoint Group = new(IPAddress.Parse("224.0.0.251"), 5353);

    /// <summary>Uses namespace <paramref name="namespace"/>: only workers published under it are seen.</summary>
    public LanDiscovery(string @namespace)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(@namespace);
        Namespace = @namespace;
    }

    /// <summary>The namespace.</summary>
    public string Namespace { get; }

    /// <summary>How often a published worker announces itself (its records live three times as long).</summary>
    public TimeSpan AnnounceInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <inheritdoc />
    public ValueTask<IWorkerRegistration> PublishAsync(WorkerInfo worker, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(worker);
        return new(new Announcer(this, worker));
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<DiscoveryEvent> SubscribeAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using Socket socket = OpenSocket();
        var received = Channel.CreateUnbounded<WorkerInfo?[]>();
        var known = new Dictionary<string, (WorkerInfo Worker, DateTime Expires)>(StringComparer.Ordinal);
        Task listening = ListenAsync(socket, received.Writer, cancellationToken);
        Send(socket, Query());
        while (!cancellationToken.IsCancellationRequested)
        {
            using var tick = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            tick.CancelAfter(AnnounceInterval / 2);
            WorkerInfo?[]? batch = null;
            try
            {
                batch = await received.Reader.ReadAsync(tick.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Time to look for expired announcements.
            }
            catch (OperationCanceledException)
            {
                break;
            }

            foreach (var change in Apply(known, batch ?? []))
            {
                yield return change;
            }
        }

        await listening.ConfigureAwait(false);
    }

    private List<DiscoveryEvent> Apply(Dictionary<string, (WorkerInfo Worker, DateTime Expires)> known, WorkerInfo?[] batch)
    {
        var changes = new List<DiscoveryEvent>();
        DateTime now = DateTime.UtcNow;
        foreach (WorkerInfo? announced in batch)
        {
            if (announced is null)
            {
                continue;
            }

            bool goodbye = announced.Options.TryGetValue("ttl", out string? ttl) && ttl == "0";
            if (goodbye)
            {
                if (known.Remove(announced.Id, out var gone))
                {
                    changes.Add(new DiscoveryEvent(DiscoveryEventKind.Dropped, gone.Worker));
                }

                continue;
            }

            var expires = now + (AnnounceInterval * 3);
            if (!known.TryGetValue(announced.Id, out var before))
            {
                changes.Add(new DiscoveryEvent(DiscoveryEventKind.Added, announced));
            }
            else if (before.Worker.Address != announced.Address || !before.Worker.Tags.SequenceEqual(announced.Tags))
            {
                changes.Add(new DiscoveryEvent(DiscoveryEventKind.Updated, announced));
            }

            known[announced.Id] = (announced, expires);
        }

        foreach (var (id, entry) in known.Where(k => k.Value.Expires < now).ToList())
        {
            known.Remove(id);
            changes.Add(new DiscoveryEvent(DiscoveryEventKind.Dropped, entry.Worker));
        }

        return changes;
    }

    private async Task ListenAsync(Socket socket, ChannelWriter<WorkerInfo?[]> received, CancellationToken cancellationToken)
    {
        var buffer = new byte[9000];
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                int length = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                if (Parse(buffer, length) is { Length: > 0 } workers)
                {
                    received.TryWrite(workers);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>The workers of this namespace announced in a packet; anything else on the group (other mDNS traffic, garbage) is ignored.</summary>
    private WorkerInfo?[] Parse(byte[] buffer, int length)
    {
        var message = new Message();
        try
        {
            message.Read(buffer, 0, length);
        }
        catch (Exception)
        {
            return [];
        }

        if (!message.IsResponse)
        {
            return [];
        }

        return [.. message.Answers.Concat(message.AdditionalRecords).OfType<TXTRecord>()
            .Where(t => t.Name.ToString().EndsWith(ServiceName, StringComparison.OrdinalIgnoreCase))
            .Select(t => FromText(t))];
    }

    private WorkerInfo? FromText(TXTRecord record)
    {
        var values = record.Strings.Select(s => s.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        if (!values.TryGetValue("ns", out string? ns) || ns != Namespace
            || !values.TryGetValue("id", out string? id) || !values.TryGetValue("address", out string? address)
            || !Uri.TryCreate(address, UriKind.Absolute, out Uri? uri))
        {
            return null;
        }

        return new WorkerInfo(id, uri, values.TryGetValue("pid", out string? pid) && int.TryParse(pid, out int p) ? p : 0)
        {
            ProtocolVersion = values.TryGetValue("protocol", out string? v) && uint.TryParse(v, out uint version) ? version : 0,
            Tags = values.TryGetValue("tags", out string? tags) && tags.Length > 0 ? tags.Split(',') : [],
            Secure = values.TryGetValue("secure", out string? secure) && secure == "1",
            Options = new Dictionary<string, string> { ["ttl"] = ((int)record.TTL.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture) },
        };
    }

    private Message Announcement(WorkerInfo worker, TimeSpan ttl)
    {
        string instance = $"{worker.Id}.{ServiceName}";
        string host = $"{worker.Id}.wool.local";
        var message = new Message { QR = true, AA = true };
        message.Answers.Add(new PTRRecord { Name = ServiceName, DomainName = instance, TTL = ttl });
        message.AdditionalRecords.Add(new SRVRecord { Name = instance, Target = host, Port = (ushort)worker.Address.Port, TTL = ttl });
        message.AdditionalRecords.Add(new TXTRecord
        {
            Name = instance,
            TTL = ttl,
            Strings =
            {
                $"ns={Namespace}",
                $"id={worker.Id}",
                $"address={worker.Address}",
                $"pid={worker.ProcessId}",
                $"protocol={worker.ProtocolVersion}",
                $"tags={string.Join(',', worker.Tags)}",
                $"secure={(worker.Secure ? 1 : 0)}",
            },
        });
        if (IPAddress.TryParse(worker.Address.Host, out IPAddress? ip) && ip.AddressFamily == AddressFamily.InterNetwork)
        {
            message.AdditionalRecords.Add(new ARecord { Name = host, Address = ip, TTL = ttl });
        }

        return message;
    }

    private static Message Query()
    {
        var query = new Message();
        query.Questions.Add(new Question { Name = ServiceName, Type = DnsType.PTR });
        return query;
    }

    /// <summary>A socket on the mDNS group of every multicast-capable IPv4 interface (loopback excluded).</summary>
    private static Socket OpenSocket()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        socket.Bind(new IPEndPoint(IPAddress.Any, Group.Port));
        socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastLoopback, true);
        foreach (IPAddress local in Interfaces())
        {
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership, new MulticastOption(Group.Address, local));
        }

        return socket;
    }

    private static List<IPAddress> Interfaces() => [.. NetworkInterface.GetAllNetworkInterfaces()
        .Where(n => n.OperationalStatus == OperationalStatus.Up && n.SupportsMulticast && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
        .SelectMany(n => n.GetIPProperties().UnicastAddresses)
        .Select(a => a.Address)
        .Where(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))];

    private static void Send(Socket socket, Message message)
    {
        byte[] packet = message.ToByteArray();
        foreach (IPAddress local in Interfaces())
        {
            try
            {
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, local.GetAddressBytes());
                socket.SendTo(packet, Group);
            }
            catch (SocketException)
            {
                // An interface that went away: the others still get the announcement.
            }
        }
    }

    private sealed class Announcer : IWorkerRegistration
    {
        private readonly LanDiscovery _owner;
        private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _announcing;
        private WorkerInfo _worker;

        public Announcer(LanDiscovery owner, WorkerInfo worker)
        {
            _owner = owner;
            _worker = worker;
            _socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastTimeToLive, 255);
            _announcing = AnnounceAsync();
        }

        public ValueTask UpdateAsync(WorkerInfo worker, CancellationToken cancellationToken)
        {
            _worker = worker;
            Send(_socket, _owner.Announcement(worker, _owner.AnnounceInterval * 3));
            return default;
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync().ConfigureAwait(false);
            await _announcing.ConfigureAwait(false);
            Send(_socket, _owner.Announcement(_worker, TimeSpan.Zero)); // goodbye
            _socket.Dispose();
            _stop.Dispose();
        }

        private async Task AnnounceAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                Send(_socket, _owner.Announcement(_worker, _owner.AnnounceInterval * 3));
                try
                {
                    await Task.Delay(_owner.AnnounceInterval, _stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
