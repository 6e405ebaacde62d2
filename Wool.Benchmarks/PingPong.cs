using Grpc.Core;
using Wool.Benchmarks.Floor;

namespace Wool.Benchmarks;

/// <summary>The ping-pong floor: one open bidirectional stream to the raw gRPC server, one echo at a time.</summary>
internal sealed class PingPong(FloorClient floor, int frameSize) : IAsyncDisposable
{
    private readonly AsyncDuplexStreamingCall<Blob, Blob> _stream = floor.PingPong();

    public async Task RoundTripAsync(int tag)
    {
        await _stream.RequestStream.WriteAsync(FloorClient.Blob(frameSize, tag));
        Measure.Check(await _stream.ResponseStream.MoveNext(CancellationToken.None) && FloorClient.Tag(_stream.ResponseStream.Current) == tag, "ping-pong");
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.RequestStream.CompleteAsync();
        _stream.Dispose();
    }
}
