using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Makaretu.Dns;

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
    /// <summary>Uses namespace <paramref name="namespace"/>: only workers published under it are seen.</summary>
    public LanDiscovery(string @namespace)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(@namespace);
        Namespace = @namespace;
        Records = new LanRecords(@namespace);
    }

    /// <summary>The namespace.</summary>
    public string Namespace { get; }

    /// <summary>How often a published worker announces itself (its records live three times as long).</summary>
    public TimeSpan AnnounceInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>This namespace's records.</summary>
    internal LanRecords Records { get; }

    /// <inheritdoc />
    public ValueTask<IWorkerRegistration> PublishAsync(WorkerInfo worker, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(worker);
        return new(new LanAnnouncer(this, worker));
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<DiscoveryEvent> SubscribeAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using Socket socket = LanMulticast.OpenSocket();
        var received = Channel.CreateUnbounded<WorkerInfo?[]>();
        var known = new Dictionary<string, (WorkerInfo Worker, DateTime Expires)>(StringComparer.Ordinal);
        Task listening = ListenAsync(socket, received.Writer, cancellationToken);
        LanMulticast.Send(socket, LanRecords.Query());
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
                if (Records.Parse(buffer, length) is { Length: > 0 } workers)
                {
                    received.TryWrite(workers);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

}
