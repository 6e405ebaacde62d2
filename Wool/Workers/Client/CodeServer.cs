using System.Security.Cryptography;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Wool.Workers.Code;
using Wool.Workers.Protocol;

namespace Wool.Workers.Client;

/// <summary>
/// Answers a worker's <c>code_request</c> on a link: the assembly's file as this process loaded it
/// for the build (<see cref="AssemblyFiles"/>), in chunks of at most 1 MiB, the first carrying its
/// length and SHA-256; or one chunk saying why it is not sent. Reading the file is off the link's
/// read loop.
/// </summary>
internal static class CodeServer
{
    public const int ChunkBytes = 1024 * 1024;

    /// <summary>At most this many requests of one worker are served at once; more are refused (a worker fetches one file at a time).</summary>
    public const int MaxInProgress = 4;

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<WorkerLink, System.Runtime.CompilerServices.StrongBox<int>> s_inProgress = new();

    public static void Serve(WorkerLink link, ulong id, CodeRequest request, ILogger logger)
    {
        var serving = s_inProgress.GetValue(link, static _ => new System.Runtime.CompilerServices.StrongBox<int>());
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
        string? refusal = AssemblyFiles.Find(request.Assembly, exact, build, out string path);
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
            int size = Math.Min(ChunkBytes, bytes.Length - offset);
            var chunk = new CodeChunk { Data = UnsafeByteOperations.UnsafeWrap(bytes.AsMemory(offset, size)), Last = offset + size == bytes.Length };
            if (offset == 0)
            {
                chunk.Length = (ulong)bytes.Length;
                chunk.Sha256 = sha256;
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
}
