using System.Collections.Concurrent;
using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Wool.Security;
using Wool.Workers.Client;

namespace Wool.Tests.Workers.InMemory;

/// <summary>Dials <see cref="InMemoryWorker"/>s by id; a worker it does not know refuses the connection, as a closed port would.</summary>
internal sealed class InMemoryDialer : IWorkerDialer
{
    private readonly ConcurrentDictionary<string, InMemoryWorker> _workers = new();

    public int Dials;

    public void Add(InMemoryWorker worker) => _workers[worker.Info.Id] = worker;

    public bool Remove(InMemoryWorker worker) => _workers.TryRemove(worker.Info.Id, out _);

    public WorkerLink Dial(WorkerInfo worker, CredentialSet? credentials)
    {
        Interlocked.Increment(ref Dials);
        return _workers.TryGetValue(worker.Id, out InMemoryWorker? target)
            ? target.Connect()
            : new WorkerLink(worker, NullLogger.Instance, new RefusingCallInvoker());
    }

    /// <summary>A transport whose every call fails before the worker answered.</summary>
    private sealed class RefusingCallInvoker : CallInvoker
    {
        public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options)
        {
            RpcException refused = Refused();
            return new AsyncDuplexStreamingCall<TRequest, TResponse>(
                new FailingWriter<TRequest>(refused),
                new FailingReader<TResponse>(refused),
                Task.FromException<Metadata>(refused),
                () => refused.Status,
                () => [],
                () => { });
        }

        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) => throw Refused();

        public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) => throw new NotSupportedException();

        public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) => throw new NotSupportedException();

        public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) => throw new NotSupportedException();
    }

    /// <summary>What gRPC reports for a closed port: Unavailable, caused by a refused socket.</summary>
    private static RpcException Refused()
        => new(new Status(StatusCode.Unavailable, "Connection refused (in-process)", new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused)));

    private sealed class FailingWriter<T>(Exception error) : IClientStreamWriter<T>
    {
        public WriteOptions? WriteOptions { get; set; }

        public Task WriteAsync(T message) => Task.FromException(error);

        public Task CompleteAsync() => Task.CompletedTask;
    }

    private sealed class FailingReader<T>(Exception error) : IAsyncStreamReader<T>
    {
        public T Current => default!;

        public Task<bool> MoveNext(CancellationToken cancellationToken) => Task.FromException<bool>(error);
    }
}
