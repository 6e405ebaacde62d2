using System.Diagnostics;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Wool.Benchmarks.Floor;
using Wool.Workers.Client;

namespace Wool.Benchmarks;

/// <summary>Starts the raw gRPC server in its own process and measures it with the same channel settings Wool uses.</summary>
internal sealed class FloorClient : IAsyncDisposable
{
    private readonly Process _server;
    private readonly GrpcChannel _channel;

    private FloorClient(Process server, GrpcChannel channel)
    {
        _server = server;
        _channel = channel;
        Client = new Floor.Floor.FloorClient(_channel);
    }

    public Floor.Floor.FloorClient Client { get; }

    /// <summary>The floor tuned like Wool: its server on a worker's Kestrel settings, its channel on Wool's.</summary>
    public static Task<FloorClient> StartAsync() => StartAsync("--floor-server", WorkerChannels.Create);

    /// <summary>The plain floor a user compares with: a default gRPC server, a default channel.</summary>
    public static Task<FloorClient> StartDefaultAsync() => StartAsync("--default-floor-server", address => GrpcChannel.ForAddress(address));

    private static async Task<FloorClient> StartAsync(string mode, Func<Uri, GrpcChannel> channel)
    {
        var server = Process.Start(ThisProgram.StartInfo(mode))!;
        string line = (await server.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)))!;
        return new FloorClient(server, channel(new Uri(line[FloorServer.ReadyLine.Length..])));
    }

    public static Blob Blob(int size, int tag)
    {
        var data = new byte[size];
        BitConverter.TryWriteBytes(data, tag);
        return new Blob { Data = UnsafeByteOperations.UnsafeWrap(data) };
    }

    public static int Tag(Blob blob) => BitConverter.ToInt32(blob.Data.Span);

    public AsyncDuplexStreamingCall<Blob, Blob> PingPong() => Client.PingPong();

    public async ValueTask DisposeAsync()
    {
        _channel.Dispose();
        _server.StandardInput.Close();
        await _server.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        _server.Dispose();
    }
}
