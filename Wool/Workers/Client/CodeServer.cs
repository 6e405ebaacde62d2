using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Wool.Serialization;
using Wool.Workers.Code;
using Wool.Workers.Protocol;

namespace Wool.Workers.Client;

/// <summary>
/// Answers a worker's <c>code_request</c> on a link: the assembly's file as this process loaded it
/// for the build (<see cref="AssemblyFiles"/>), in chunks of at most 1 MiB, the first carrying its
/// length, its SHA-256 and whether it is one of the application's own assemblies; or one chunk saying
/// why it is not sent. Only builds this link carried calls of are served, two files at a time, and a
/// chunk is queued only while the worker reads what was queued before: a worker that asks and never
/// reads costs this process two files and a few chunks, not a copy per request. Reading the file is
/// off the link's read loop.
/// </summary>
internal static class CodeServer
{
    public const int ChunkBytes = 1024 * 1024;

    /// <summary>At most this many requests of one worker are served at once; more are refused (a worker fetches one file at a time per build).</summary>
    public const int MaxInProgress = 2;

    // Frames the link may hold unwritten before a chunk waits for the worker to read (8 MiB of chunks),
    // and past which a request is not even answered (the worker reads nothing).
    private const int QueuedChunks = 8;
    private const int Ignored = 256;
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(30);

    private static readonly ConditionalWeakTable<WorkerLink, StrongBox<int>> s_inProgress = new();

    public static void Serve(WorkerLink link, ulong id, CodeRequest request, ILogger logger)
    {
        if (link.Queued > Ignored)
        {
            // Answering would only grow the queue of a worker that does not read.
            return;
        }

        var serving = s_inProgress.GetValue(link, static _ => new StrongBox<int>());
        if (Interlocked.Increment(ref serving.Value) > MaxInProgress)
        {
            Interlocked.Decrement(ref serving.Value);
            Refuse(link, id, request, $"the worker asked for more than {MaxInProgress} files at once", logger);
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await ServeAsync(link, id, request, logger).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref serving.Value);
            }
        });
    }

    private static void Refuse(WorkerLink link, ulong id, CodeRequest request, string refusal, ILogger logger)
    {
        CodeLog.CodeNotServed(logger, request.Assembly, link.Worker.ToString(), refusal);
        link.TrySend(new ClientFrame { Id = id, Code = new CodeChunk { Error = refusal, Last = true } });
    }

    private static async Task ServeAsync(WorkerLink link, ulong id, CodeRequest request, ILogger logger)
    {
        Guid? exact = request.ModuleVersionId.Length == 16 ? new Guid(request.ModuleVersionId.Span) : null;
        Guid build = request.Build.Length == 16 ? new Guid(request.Build.Span) : Guid.Empty;
        string path = "";
        string? refusal = link.HasSent(build)
            ? AssemblyFiles.Find(request.Assembly, exact, build, out path)
            : $"this caller sent no call of build {build:N} to this worker";
        byte[] bytes = [];
        if (refusal is null)
        {
            try
            {
                bytes = await File.ReadAllBytesAsync(path).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                refusal = $"its file could not be read ({e.Message})";
            }
        }

        if (refusal is not null)
        {
            Refuse(link, id, request, refusal, logger);
            return;
        }

        ByteString sha256 = ByteString.CopyFrom(SHA256.HashData(bytes));
        int offset = 0;
        do
        {
            if (!await WorkerReadsAsync(link).ConfigureAwait(false))
            {
                CodeLog.CodeNotServed(logger, request.Assembly, link.Worker.ToString(), "the worker stopped reading what was sent");
                return;
            }

            int size = Math.Min(ChunkBytes, bytes.Length - offset);
            var chunk = new CodeChunk { Data = UnsafeByteOperations.UnsafeWrap(bytes.AsMemory(offset, size)), Last = offset + size == bytes.Length };
            if (offset == 0)
            {
                chunk.Length = (ulong)bytes.Length;
                chunk.Sha256 = sha256;
                // The worker treats the application's own assemblies as such (their types travel), not its packages.
                chunk.Application = WoolSerializer.AllowedTypes.AllowsAssembly(request.Assembly);
            }

            if (!link.TrySend(new ClientFrame { Id = id, Code = chunk }))
            {
                return;
            }

            offset += size;
        }
        while (offset < bytes.Length);

        CodeLog.CodeServed(logger, request.Assembly, bytes.Length, link.Worker.ToString());
    }

    /// <summary>Waits until the link holds few unwritten frames; false when the worker has read nothing for a while.</summary>
    private static async Task<bool> WorkerReadsAsync(WorkerLink link)
    {
        long deadline = Environment.TickCount64 + (long)ReadTimeout.TotalMilliseconds;
        while (link.Queued > QueuedChunks)
        {
            if (Environment.TickCount64 > deadline || !link.IsAlive)
            {
                return false;
            }

            await Task.Delay(5).ConfigureAwait(false);
        }

        return true;
    }
}
