using System.Collections.Concurrent;
using System.Security.Cryptography;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Wool.Routines;
using Wool.Workers.Code;
using Wool.Workers.Protocol;

namespace Wool.Workers.Host;

/// <summary>
/// A connection's caller as the source of shipped code, on a worker that takes shipped code: decides,
/// per call, whether its build must be loaded first (and keeps a loaded build in use until the call
/// ends); asks the caller for an assembly with a <c>code_request</c> frame and assembles the
/// <c>code</c> chunks it answers with, checking the declared length against the limit before keeping
/// anything and the SHA-256 once all has arrived. Thread-safe.
/// </summary>
/// <param name="send">Queues a frame to the caller.</param>
/// <param name="store">The worker's shipped builds.</param>
/// <param name="refusal">Why this caller may not ship code; null when it may.</param>
/// <param name="logger">The worker's log.</param>
internal sealed class SessionCode(Action<ServerFrame> send, CodeStore store, string? refusal, ILogger logger) : ICodeSource
{
    /// <summary>At most this many bytes in one shipped file.</summary>
    public const long MaxFileBytes = 64L * 1024 * 1024;

    private readonly ConcurrentDictionary<ulong, Fetch> _fetches = new();
    private long _next;
    private volatile bool _lost;

    /// <summary>Whether this caller may ship code.</summary>
    public bool Accepts => refusal is null;

    /// <summary>
    /// The refusal of a call whose build this worker has not loaded and this caller may not ship: a
    /// transient one (another worker may have the build), saying why; null when the worker runs it.
    /// </summary>
    public Rejection? Refusal(ulong id, Call call)
    {
        Guid build = call.ModuleVersionId.Length == 16 ? new Guid(call.ModuleVersionId.Span) : Guid.Empty;
        if (refusal is null || store.IsLoaded(build) || !CodeStore.Needs(call.Assembly, build))
        {
            return null;
        }

        CodeLog.CodeRefused(logger, id, call.Assembly, refusal);
        return new Rejection { Reason = $"this worker does not have build {build:N} of '{call.Assembly}' and does not take shipped code from this caller: {refusal}", Transient = true };
    }

    /// <summary>
    /// When the call's build is not on this worker and this caller may ship it: its loading (from the
    /// cache, else from this caller). Null when the call needs nothing shipped.
    /// </summary>
    public Task? Prepare(ulong id, RoutineRequest request, ServedCall served)
    {
        if (UseLoaded(request, served) || !CodeStore.Needs(request.AssemblyName, request.ModuleVersionId))
        {
            return null;
        }

        if (refusal is not null)
        {
            // Refused before it started (Refusal); only a build unloaded in between reaches here.
            CodeLog.CodeRefused(logger, id, request.AssemblyName, refusal);
            return Task.FromException(new CodeShippingException($"This worker does not have build {request.ModuleVersionId:N} of '{request.AssemblyName}', and does not take shipped code from this caller: {refusal}."));
        }

        return LoadAsync(request, served);
    }

    private async Task LoadAsync(RoutineRequest request, ServedCall served)
    {
        await store.LoadAsync(request.AssemblyName, request.ModuleVersionId, this, served.Token).ConfigureAwait(false);
        UseLoaded(request, served);
    }

    /// <summary>Whether the call's build is a loaded shipped build; if so, it stays loaded until the call ends.</summary>
    private bool UseLoaded(RoutineRequest request, ServedCall served)
    {
        if (store.Use(request.ModuleVersionId) is not { } build)
        {
            return false;
        }

        served.OnEnd(() => store.Release(build));
        return true;
    }

    public async Task<ShippedFile> FetchAsync(string assembly, Guid? moduleVersionId, Guid build, CancellationToken cancellationToken)
    {
        if (_lost)
        {
            throw new CodeShippingException($"Assembly '{assembly}' could not be shipped to this worker: the connection to the caller ended.");
        }

        ulong id = (ulong)Interlocked.Increment(ref _next);
        var fetch = new Fetch(assembly);
        _fetches[id] = fetch;
        try
        {
            send(new ServerFrame
            {
                Id = id,
                CodeRequest = new CodeRequest
                {
                    Assembly = assembly,
                    ModuleVersionId = moduleVersionId is Guid exact ? ByteString.CopyFrom(exact.ToByteArray()) : ByteString.Empty,
                    Build = ByteString.CopyFrom(build.ToByteArray()),
                },
            });
            return await fetch.Completed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!fetch.Completed.IsCompleted)
        {
            throw new CodeShippingException($"The caller did not send '{assembly}' in time.", e);
        }
        finally
        {
            _fetches.TryRemove(id, out _);
        }
    }

    /// <summary>A chunk arrived (a chunk for no fetch in progress is ignored: its fetch gave up).</summary>
    public void OnChunk(ulong id, CodeChunk chunk)
    {
        if (_fetches.TryGetValue(id, out Fetch? fetch))
        {
            fetch.Add(chunk);
        }
    }

    /// <summary>The connection ended: every fetch in progress fails.</summary>
    public void Lost()
    {
        _lost = true;
        foreach (Fetch fetch in _fetches.Values)
        {
            fetch.Fail("the connection to the caller ended");
        }
    }

    private sealed class Fetch(string assembly)
    {
        private readonly TaskCompletionSource<ShippedFile> _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private byte[]? _bytes;
        private byte[]? _sha256;
        private int _received;
        private bool _application;

        public Task<ShippedFile> Completed => _completed.Task;

        public void Add(CodeChunk chunk)
        {
            if (!string.IsNullOrEmpty(chunk.Error))
            {
                Fail($"the caller refused: {chunk.Error}");
                return;
            }

            if (_bytes is null)
            {
                if (chunk.Length > (ulong)MaxFileBytes || chunk.Sha256.Length != 32)
                {
                    Fail(chunk.Sha256.Length != 32 ? "its first chunk had no SHA-256" : $"it is {chunk.Length} bytes, over the worker's limit of {MaxFileBytes / (1024 * 1024)} MiB per file");
                    return;
                }

                _bytes = new byte[chunk.Length];
                _sha256 = chunk.Sha256.ToByteArray();
                _application = chunk.Application;
            }

            if (chunk.Data.Length > _bytes.Length - _received)
            {
                Fail("the caller sent more bytes than it announced");
                return;
            }

            chunk.Data.Span.CopyTo(_bytes.AsSpan(_received));
            _received += chunk.Data.Length;
            if (!chunk.Last)
            {
                return;
            }

            if (_received != _bytes.Length || !CryptographicOperations.FixedTimeEquals(SHA256.HashData(_bytes), _sha256))
            {
                Fail(_received != _bytes.Length ? "it ended before the length it announced" : "its SHA-256 does not match what the caller announced");
                return;
            }

            _completed.TrySetResult(new ShippedFile(_bytes, _application));
        }

        public void Fail(string reason) => _completed.TrySetException(new CodeShippingException($"Assembly '{assembly}' could not be shipped to this worker: {reason}."));
    }
}
