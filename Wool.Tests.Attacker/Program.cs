using System.Net.Sockets;
using Grpc.Core;
using Grpc.Net.Client;
using Wool.Workers.Protocol;

// rpc <address> [access token]: tries each RPC of a worker's port (a call, a peer list, status,
// stop) and prints one line per attempt: "<rpc> ok" or "<rpc> <gRPC status or socket error>".
if (args is not ["rpc", var target, .. var rest])
{
    Console.Error.WriteLine("usage: rpc <address: http://host:port or unix:/path> [access token]");
    return 2;
}

string? token = rest.Length > 0 ? rest[0] : null;
var address = new Uri(target);
var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5) };
if (address.Scheme == "unix")
{
    string path = address.AbsolutePath;
    handler.ConnectCallback = async (_, cancellationToken) =>
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
        return new NetworkStream(socket, ownsSocket: true);
    };
    address = new Uri("http://localhost");
}

using var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = handler });
var client = new Worker.WorkerClient(channel);
var headers = new Metadata { { "wool-protocol", "3" } };
if (token is not null)
{
    headers.Add("wool-access-token", token);
}

var options = new CallOptions(headers, deadline: DateTime.UtcNow.AddSeconds(10));

await TryAsync("call", async () =>
{
    using var call = client.Connect(options);
    // Any routine: the payload does not matter, the worker must never read it.
    var batch = new ClientBatch();
    batch.Frames.Add(new ClientFrame { Id = 1, Call = new Call { Protocol = 3, Assembly = "Wool.Tests", Routine = "anything", Payload = Google.Protobuf.ByteString.CopyFrom(0x91, 0xC0) } });
    await call.RequestStream.WriteAsync(batch);
    await call.ResponseStream.MoveNext(CancellationToken.None);
});

await TryAsync("peers", async () =>
{
    using var call = client.Connect(options);
    var peers = new PeerList();
    peers.Peers.Add(new Peer { Id = "attacker", Address = "http://127.0.0.1:9", ProcessId = 1 });
    var batch = new ClientBatch();
    batch.Frames.Add(new ClientFrame { Peers = peers });
    await call.RequestStream.WriteAsync(batch);
    await call.RequestStream.CompleteAsync();
    await call.ResponseHeadersAsync;
    while (await call.ResponseStream.MoveNext(CancellationToken.None))
    {
    }
});

await TryAsync("status", async () => await client.StatusAsync(new Ack(), options));
await TryAsync("stop", async () => await client.StopAsync(new StopRequest { GraceMilliseconds = 0 }, options));
return 0;

static async Task TryAsync(string rpc, Func<Task> attempt)
{
    string outcome;
    try
    {
        await attempt();
        outcome = "ok";
    }
    catch (RpcException e) when (e.Status.DebugException is { } cause && Socket(cause) is { } socket)
    {
        outcome = $"socket-{socket}";
    }
    catch (RpcException e)
    {
        outcome = e.StatusCode.ToString();
    }
    catch (Exception e) when (e is IOException or HttpRequestException or SocketException)
    {
        // The worker closed the connection on us (a refused local user).
        outcome = "connection-closed";
    }

    Console.WriteLine($"{rpc} {outcome}");
}

static SocketError? Socket(Exception e)
{
    for (Exception? cause = e; cause is not null; cause = cause.InnerException)
    {
        if (cause is SocketException socket)
        {
            return socket.SocketErrorCode;
        }
    }

    return null;
}
