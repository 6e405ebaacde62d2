using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;

namespace Wool.Discovery;

/// <summary>
/// A worker's key in etcd, under a lease renewed every third of its time to live. Runs in the
/// background from creation to disposal: takes a lease and writes the key, keeps the lease alive,
/// and starts over (a new lease, the key written again) whenever etcd was lost or the lease expired;
/// writes the key again if it was deleted while the lease lived.
/// Disposal revokes the lease, which deletes the key.
/// </summary>
internal sealed class EtcdRegistration : IWorkerRegistration
{
    private readonly EtcdDiscovery _owner;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _running;
    private WorkerInfo _worker;
    private long _lease;
    private int _stale;
    private int _disposed;

    public EtcdRegistration(EtcdDiscovery owner, WorkerInfo worker)
    {
        _owner = owner;
        _worker = worker;
        _running = Task.Run(() => RunAsync(_stop.Token));
    }

    private ByteString Key => ByteString.CopyFromUtf8(_owner.Options.WorkersPrefix + _worker.Id);

    public async ValueTask UpdateAsync(WorkerInfo worker, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(worker);
        if (worker.Id != _worker.Id)
        {
            throw new ArgumentException($"A registration updates its own worker ('{_worker.Id}'), not '{worker.Id}'.", nameof(worker));
        }

        Volatile.Write(ref _worker, worker);
        Volatile.Write(ref _stale, 1);
        long lease = Volatile.Read(ref _lease);
        if (lease != 0)
        {
            try
            {
                await PutAsync(lease, cancellationToken).ConfigureAwait(false);
            }
            catch (RpcException)
            {
                // Still stale: written when the keep-alive loop next reaches etcd.
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        await _running.ConfigureAwait(false);
        long lease = Volatile.Read(ref _lease);
        if (lease != 0)
        {
            try
            {
                // Revoking deletes the key at once: pools drop this worker now, not when the lease runs out.
                await _owner.Leases.LeaseRevokeAsync(new LeaseRevokeRequest { ID = lease }, deadline: DateTime.UtcNow.AddSeconds(2)).ConfigureAwait(false);
            }
            catch (RpcException)
            {
                // etcd unreachable: the lease expires on its own.
            }
        }

        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        EtcdDiscoveryOptions options = _owner.Options;
        // Retried within a third of the lease: when etcd comes back (with the leases it had, renewed to
        // their full time), this worker renews its own before it expires, so pools never see it leave.
        var backoff = new EtcdBackoff(options, _owner.Logger, $"Registering worker '{_worker.Id}'", options.LeaseTimeToLive / 3);
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (Volatile.Read(ref _lease) is var held and not 0)
                {
                    // The lease it had first: returns at once when etcd no longer knows it.
                    await KeepAliveAsync(held, backoff, cancellationToken).ConfigureAwait(false);
                }

                LeaseGrantResponse granted = await _owner.Leases.LeaseGrantAsync(new LeaseGrantRequest { TTL = (long)options.LeaseTimeToLive.TotalSeconds }, deadline: DateTime.UtcNow.AddSeconds(5), cancellationToken: cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref _lease, granted.ID);
                await PutAsync(granted.ID, cancellationToken).ConfigureAwait(false);
                backoff.Succeeded(1);
                await KeepAliveAsync(granted.ID, backoff, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // Whatever broke (a call, a stream already ended, a write after it), this loop must go on.
                await backoff.FailedAsync(EtcdBackoff.Reason(e), 1, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Renews the lease every third of its life; returns when etcd says it expired (a new one is needed).</summary>
    private async Task KeepAliveAsync(long lease, EtcdBackoff backoff, CancellationToken cancellationToken)
    {
        using AsyncDuplexStreamingCall<LeaseKeepAliveRequest, LeaseKeepAliveResponse> keepAlive = _owner.Leases.LeaseKeepAlive(cancellationToken: cancellationToken);
        while (true)
        {
            await keepAlive.RequestStream.WriteAsync(new LeaseKeepAliveRequest { ID = lease }, cancellationToken).ConfigureAwait(false);
            if (!await keepAlive.ResponseStream.MoveNext(cancellationToken).ConfigureAwait(false) || keepAlive.ResponseStream.Current.TTL <= 0)
            {
                return;
            }

            backoff.Succeeded(1);
            // Written again when stale, or when someone deleted the key while the lease lives on.
            if (Volatile.Read(ref _stale) == 1 || (await _owner.Keys.RangeAsync(new RangeRequest { Key = Key, CountOnly = true }, deadline: DateTime.UtcNow.AddSeconds(5), cancellationToken: cancellationToken).ConfigureAwait(false)).Count == 0)
            {
                await PutAsync(lease, cancellationToken).ConfigureAwait(false);
            }

            await Task.Delay(_owner.Options.LeaseTimeToLive / 3, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task PutAsync(long lease, CancellationToken cancellationToken)
    {
        Volatile.Write(ref _stale, 0);
        try
        {
            string record = WorkerRecord.Write(Volatile.Read(ref _worker));
            await _owner.Keys.PutAsync(new PutRequest { Key = Key, Value = ByteString.CopyFromUtf8(record), Lease = lease }, deadline: DateTime.UtcNow.AddSeconds(5), cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Volatile.Write(ref _stale, 1);
            throw;
        }
    }
}
