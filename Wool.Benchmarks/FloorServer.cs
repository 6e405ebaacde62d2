using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Wool.Benchmarks.Floor;

namespace Wool.Benchmarks;

/// <summary>
/// The floor: a raw gRPC echo server in its own process, on the same Kestrel HTTP/2 settings as a
/// Wool worker. It prints its address, then serves until its stdin closes.
/// </summary>
internal static class FloorServer
{
    public const string ReadyLine = "FLOOR-READY ";

    /// <param name="defaults">
    /// Serve as a user's first gRPC server would: the default builder, Kestrel's and gRPC's default
    /// limits (only HTTP/2 without TLS and a loopback port chosen, which a cleartext gRPC server needs).
    /// Otherwise, tuned like a Wool worker.
    /// </param>
    public static async Task<int> RunAsync(bool defaults = false)
    {
        var builder = defaults ? WebApplication.CreateBuilder() : WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(System.Net.IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2);
            if (!defaults)
            {
                k.Limits.Http2.MaxStreamsPerConnection = 1024;
                k.Limits.Http2.InitialConnectionWindowSize = 8 * 1024 * 1024;
                k.Limits.Http2.InitialStreamWindowSize = 4 * 1024 * 1024;
            }
        });
        builder.Services.AddGrpc(o =>
        {
            if (!defaults)
            {
                o.MaxReceiveMessageSize = o.MaxSendMessageSize = 64 * 1024 * 1024;
            }
        });
        await using var app = builder.Build();
        app.MapGrpcService<EchoService>();
        await app.StartAsync();
        Console.WriteLine(ReadyLine + app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        await Console.In.ReadToEndAsync();
        return 0;
    }

    private sealed class EchoService : Floor.Floor.FloorBase
    {
        public override Task<Blob> Unary(Blob request, ServerCallContext context) => Task.FromResult(request);

        public override async Task ServerStream(Count request, IServerStreamWriter<Blob> responseStream, ServerCallContext context)
        {
            for (int i = 0; i < request.Items; i++)
            {
                var data = new byte[request.Size];
                BitConverter.TryWriteBytes(data, i);
                await responseStream.WriteAsync(new Blob { Data = UnsafeByteOperations.UnsafeWrap(data) });
            }
        }

        public override async Task PingPong(IAsyncStreamReader<Blob> requestStream, IServerStreamWriter<Blob> responseStream, ServerCallContext context)
        {
            await foreach (Blob blob in requestStream.ReadAllAsync())
            {
                await responseStream.WriteAsync(blob);
            }
        }
    }
}
