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

    private FloorClient(Process server, Uri address)
    {
        _server = server;
        _channel = WorkerChannels.Create(address);
        Client = new Floor.Floor.FloorClient(_channel);
    }

    public Floor.Floor.FloorClient Client { get; }

    public static async Task<FloorClient> StartAsync()
    {
        var server = Process.Start(ThisProgram.StartInfo("--floor-server"))!;
        string line = (await server.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)))!;
        return new FloorClient(server, new Uri(line[FloorServer.ReadyLine.Length..]));
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
