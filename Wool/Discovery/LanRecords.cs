using System.Net;
using System.Net.Sockets;
using Makaretu.Dns;

namespace Wool.Discovery;

/// <summary>
/// The DNS-SD records of one LAN discovery namespace: a worker is a <c>_wool._tcp.local</c>
/// service instance (PTR, SRV, A) whose TXT record carries its namespace, id, address, process id,
/// protocol version, tags and whether it requires TLS. Built and read with Makaretu.Dns.
/// </summary>
internal sealed class LanRecords(string @namespace)
{
    public const string ServiceName = "_wool._tcp.local";

    /// <summary>The workers of this namespace announced in a packet; anything else on the group (other mDNS traffic, garbage) is ignored.</summary>
    public WorkerInfo?[] Parse(byte[] buffer, int length)
    {
        var message = new Message();
        try
        {
            message.Read(buffer, 0, length);
        }
        catch (Exception)
        {
            return [];
        }

        if (!message.IsResponse)
        {
            return [];
        }

        return [.. message.Answers.Concat(message.AdditionalRecords).OfType<TXTRecord>()
            .Where(t => t.Name.ToString().EndsWith(ServiceName, StringComparison.OrdinalIgnoreCase))
            .Select(t => FromText(t))];
    }

    private WorkerInfo? FromText(TXTRecord record)
    {
        var values = record.Strings.Select(s => s.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        if (!values.TryGetValue("ns", out string? ns) || ns != @namespace
            || !values.TryGetValue("id", out string? id) || !values.TryGetValue("address", out string? address)
            || !Uri.TryCreate(address, UriKind.Absolute, out Uri? uri))
        {
            return null;
        }

        return new WorkerInfo(id, uri, values.TryGetValue("pid", out string? pid) && int.TryParse(pid, out int p) ? p : 0)
        {
            ProtocolVersion = values.TryGetValue("protocol", out string? v) && uint.TryParse(v, out uint version) ? version : 0,
            Tags = values.TryGetValue("tags", out string? tags) && tags.Length > 0 ? tags.Split(',') : [],
            Secure = values.TryGetValue("secure", out string? secure) && secure == "1",
            Options = new Dictionary<string, string> { ["ttl"] = ((int)record.TTL.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture) },
        };
    }

    public Message Announcement(WorkerInfo worker, TimeSpan ttl)
    {
        string instance = $"{worker.Id}.{ServiceName}";
        string host = $"{worker.Id}.wool.local";
        var message = new Message { QR = true, AA = true };
        message.Answers.Add(new PTRRecord { Name = ServiceName, DomainName = instance, TTL = ttl });
        message.AdditionalRecords.Add(new SRVRecord { Name = instance, Target = host, Port = (ushort)worker.Address.Port, TTL = ttl });
        message.AdditionalRecords.Add(new TXTRecord
        {
            Name = instance,
            TTL = ttl,
            Strings =
            {
                $"ns={@namespace}",
                $"id={worker.Id}",
                $"address={worker.Address}",
                $"pid={worker.ProcessId}",
                $"protocol={worker.ProtocolVersion}",
                $"tags={string.Join(',', worker.Tags)}",
                $"secure={(worker.Secure ? 1 : 0)}",
            },
        });
        if (IPAddress.TryParse(worker.Address.Host, out IPAddress? ip) && ip.AddressFamily == AddressFamily.InterNetwork)
        {
            message.AdditionalRecords.Add(new ARecord { Name = host, Address = ip, TTL = ttl });
        }

        return message;
    }

    public static Message Query()
    {
        var query = new Message();
        query.Questions.Add(new Question { Name = ServiceName, Type = DnsType.PTR });
        return query;
    }
}
