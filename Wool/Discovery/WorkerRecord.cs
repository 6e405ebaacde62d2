using System.Text.Json;

namespace Wool.Discovery;

/// <summary>
/// A <see cref="WorkerInfo"/> as JSON, the way the local (a file per worker) and etcd (a key per
/// worker) backends store it. Reading never throws: what is not a worker record is null.
/// </summary>
internal sealed record WorkerRecord(string Id, string Address, int ProcessId, uint ProtocolVersion, string[] Tags, bool Secure, Dictionary<string, string> Options)
{
    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = false };

    /// <summary>The largest record read: a worker's is a few hundred bytes, and a key anyone can write must not cost a pool memory.</summary>
    public const int MaxLength = 64 * 1024;

    public static string Write(WorkerInfo worker)
        => JsonSerializer.Serialize(new WorkerRecord(worker.Id, worker.Address.ToString(), worker.ProcessId, worker.ProtocolVersion, [.. worker.Tags], worker.Secure, new Dictionary<string, string>(worker.Options)), s_json);

    /// <summary>The worker <paramref name="json"/> describes, or null when it is not a whole, valid record.</summary>
    public static WorkerInfo? Read(ReadOnlySpan<byte> json)
    {
        if (json.Length > MaxLength)
        {
            return null;
        }

        try
        {
            var record = JsonSerializer.Deserialize<WorkerRecord>(json, s_json);
            return record is { Id.Length: > 0, Address.Length: > 0 } && Uri.TryCreate(record.Address, UriKind.Absolute, out Uri? address)
                ? new WorkerInfo(record.Id, address, record.ProcessId)
                {
                    ProtocolVersion = record.ProtocolVersion,
                    Tags = record.Tags ?? [],
                    Secure = record.Secure,
                    Options = record.Options ?? [],
                }
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
