using Grpc.Core;

namespace Wool.Tests.Workers.InMemory;

/// <summary>The server side of one in-process call: its request headers, its cancellation (the caller went away), and the headers the service writes.</summary>
internal sealed class TestServerCallContext(string method, Metadata requestHeaders, CancellationToken cancellationToken) : ServerCallContext
{
    private readonly TaskCompletionSource<Metadata> _responseHeaders = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the service writes its response headers.</summary>
    public Task<Metadata> ResponseHeaders => _responseHeaders.Task;

    protected override string MethodCore => method;

    protected override string HostCore => "in-process";

    protected override string PeerCore => "in-process";

    protected override DateTime DeadlineCore => DateTime.MaxValue;

    protected override Metadata RequestHeadersCore => requestHeaders;

    protected override CancellationToken CancellationTokenCore => cancellationToken;

    protected override Metadata ResponseTrailersCore { get; } = [];

    protected override Status StatusCore { get; set; }

    protected override WriteOptions? WriteOptionsCore { get; set; }

    protected override AuthContext AuthContextCore { get; } = new(null, []);

    protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) => throw new NotSupportedException();

    protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders)
    {
        _responseHeaders.TrySetResult(responseHeaders);
        return Task.CompletedTask;
    }
}
