using System.Net.Sockets;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Wool.Security;
using Wool.Workers.Client;

namespace Wool.Tests.Integration.Workers;

/// <summary>
/// A channel straight to one of a pool's spawned workers, past the pool, to test what the worker
/// does with the frames and bytes it is sent. By default it presents the pool's tokens (an insider's
/// view: what a bug in a pool could send); without them, an outsider's.
/// </summary>
internal sealed class RawWorkerChannel : IDisposable
{
    private readonly GrpcChannel _channel;

    public RawWorkerChannel(WorkerPool pool, WorkerInfo worker, bool accessToken = true, bool ownerToken = true)
    {
        _channel = WorkerChannels.Create(worker.Address);
        AccessToken access = pool.Spawned!.AccessToken;
        AccessToken owner = pool.Spawned.OwnerToken;
        Invoker = _channel.CreateCallInvoker().Intercept(headers =>
        {
            if (accessToken)
            {
                headers.Add(AccessToken.Header, access.Text);
            }

            if (ownerToken)
            {
                headers.Add(AccessToken.OwnerHeader, owner.Text);
            }

            return headers;
        });
    }

    public CallInvoker Invoker { get; }

    /// <summary>A plain socket to the worker's listening address (a Unix domain socket, or TCP).</summary>
    public static async Task<Socket> ConnectSocketAsync(WorkerInfo worker)
    {
        if (worker.Address.Scheme == WorkerChannels.UnixScheme)
        {
            var unix = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await unix.ConnectAsync(new UnixDomainSocketEndPoint(worker.Address.AbsolutePath)).WaitAsync(Timeouts.Default);
            return unix;
        }

        var tcp = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await tcp.ConnectAsync(worker.Address.Host, worker.Address.Port).WaitAsync(Timeouts.Default);
        return tcp;
    }

    public void Dispose() => _channel.Dispose();
}
