using System.Threading.Channels;
using Google.Protobuf;
using Grpc.Core;
using Wool.Workers.Protocol;

namespace Wool.Tests.Workers.InMemory;

/// <summary>
/// A gRPC transport inside the test process: a caller's calls reach a worker's service object
/// directly. Every message still goes through its protobuf encoding, as on the wire; the call
/// channel is a pair of in-memory queues; a caller that disposes its call aborts it on the worker,
/// as a reset stream would. Used where protocol logic is tested without spawning processes.
/// </summary>
internal sealed class InProcessCallInvoker(Worker.WorkerBase service) : CallInvoker
{
    private readonly List<Action> _severs = [];

    /// <summary>Every batch the caller sent, in order (decoded again from its bytes).</summary>
    public List<ClientBatch> Sent { get; } = [];

    /// <summary>Breaks every call channel at once, as a dead worker or a cut network would: both ends see the connection fail.</summary>
    public void Sever()
    {
        lock (_severs)
        {
            _severs.ForEach(sever => sever());
        }
    }

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options)
    {
        var requests = Channel.CreateUnbounded<ClientBatch>();
        var responses = Channel.CreateUnbounded<ServerBatch>();
        var aborted = new CancellationTokenSource();
        var context = new TestServerCallContext(method.FullName, options.Headers ?? [], aborted.Token);
        Task serving = Task.Run(() => service.Connect(new Reader<ClientBatch>(requests.Reader, null), new Writer<ServerBatch>(responses.Writer, null), context));
        _ = serving.ContinueWith(t => responses.Writer.TryComplete(t.Exception is { } e ? AsRpc(e.InnerException!) : null), TaskScheduler.Default);
        lock (_severs)
        {
            _severs.Add(() =>
            {
                responses.Writer.TryComplete(new RpcException(new Status(StatusCode.Unavailable, "The connection was severed (in-process).")));
                aborted.Cancel();
            });
        }

        return new AsyncDuplexStreamingCall<TRequest, TResponse>(
            (IClientStreamWriter<TRequest>)(object)new Writer<ClientBatch>(requests.Writer, Sent),
            (IAsyncStreamReader<TResponse>)(object)new Reader<ServerBatch>(responses.Reader, serving),
            HeadersAsync(context, serving),
            () => serving.IsCompletedSuccessfully ? Status.DefaultSuccess : new Status(StatusCode.Unknown, "failed"),
            () => [],
            aborted.Cancel);
    }

    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
    {
        var context = new TestServerCallContext(method.FullName, options.Headers ?? [], options.CancellationToken);
        Task<TResponse> response = method.Name switch
        {
            "Stop" => Cast<StopRequest, Ack, TResponse>(service.Stop(Copy((StopRequest)(object)request!), context)),
            "Status" => Cast<Ack, StatusReply, TResponse>(service.Status(Copy((Ack)(object)request!), context)),
            _ => throw new NotSupportedException(method.FullName),
        };
        return new AsyncUnaryCall<TResponse>(response, Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [], () => { });
    }

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) => throw new NotSupportedException();

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) => throw new NotSupportedException();

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) => throw new NotSupportedException();

    private static async Task<TResponse> Cast<TIn, TOut, TResponse>(Task<TOut> response)
        where TOut : IMessage<TOut>, new()
        => (TResponse)(object)Copy(await response.ConfigureAwait(false));

    /// <summary>The headers arrive when the service writes them; a call the service refuses before that fails as it would on the wire.</summary>
    private static async Task<Metadata> HeadersAsync(TestServerCallContext context, Task serving)
    {
        Task first = await Task.WhenAny(context.ResponseHeaders, serving).ConfigureAwait(false);
        if (first == serving && !context.ResponseHeaders.IsCompleted)
        {
            await serving.ContinueWith(t => t.Exception is { } e ? throw AsRpc(e.InnerException!) : t, TaskScheduler.Default).ConfigureAwait(false);
        }

        return await context.ResponseHeaders.ConfigureAwait(false);
    }

    private static RpcException AsRpc(Exception e) => e as RpcException ?? new RpcException(new Status(StatusCode.Unknown, e.Message, e));

    private static T Copy<T>(T message)
        where T : IMessage<T>, new()
    {
        var copy = new T();
        copy.MergeFrom(message.ToByteArray());
        return copy;
    }

    private sealed class Writer<T>(ChannelWriter<T> channel, List<T>? record) : IClientStreamWriter<T>, IServerStreamWriter<T>
        where T : class, IMessage<T>, new()
    {
        public WriteOptions? WriteOptions { get; set; }

        public async Task WriteAsync(T message)
        {
            T copy = Copy(message);
            if (record is not null)
            {
                // A copy of its own: the worker may fill in a frame it receives (routine numbers).
                lock (record)
                {
                    record.Add(Copy(message));
                }
            }

            if (!channel.TryWrite(copy))
            {
                await Task.Yield();
                throw new RpcException(new Status(StatusCode.Cancelled, "The call is over."));
            }
        }

        public Task CompleteAsync()
        {
            channel.TryComplete();
            return Task.CompletedTask;
        }
    }

    private sealed class Reader<T>(ChannelReader<T> channel, Task? serving) : IAsyncStreamReader<T>
    {
        public T Current { get; private set; } = default!;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            try
            {
                if (!await channel.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    return false;
                }
            }
            catch (ChannelClosedException e) when (serving is not null)
            {
                throw e.InnerException ?? e;
            }

            Current = await channel.ReadAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
    }
}
