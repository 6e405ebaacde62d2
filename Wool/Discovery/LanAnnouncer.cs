using System.Net.Sockets;

namespace Wool.Discovery;

/// <summary>A worker published on the LAN: announced every interval until disposed, then a goodbye (TTL 0).</summary>
internal sealed class LanAnnouncer : IWorkerRegistration
{
    private readonly LanDiscovery _owner;
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _announcing;
    private WorkerInfo _worker;

    public LanAnnouncer(LanDiscovery owner, WorkerInfo worker)
    {
        _owner = owner;
        _worker = worker;
        _socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastTimeToLive, 255);
        _announcing = AnnounceAsync();
    }

    public ValueTask UpdateAsync(WorkerInfo worker, CancellationToken cancellationToken)
    {
        _worker = worker;
        LanMulticast.Send(_socket, _owner.Records.Announcement(worker, _owner.AnnounceInterval * 3));
        return default;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _announcing.ConfigureAwait(false);
        LanMulticast.Send(_socket, _owner.Records.Announcement(_worker, TimeSpan.Zero)); // goodbye
        _socket.Dispose();
        _stop.Dispose();
    }

    private async Task AnnounceAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            LanMulticast.Send(_socket, _owner.Records.Announcement(_worker, _owner.AnnounceInterval * 3));
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
