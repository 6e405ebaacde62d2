namespace Wool.Hosting;

/// <summary>The workers' DNS name, as configuration (<c>Wool:Dns:…</c>) for <c>Wool:Discovery</c> <c>dns</c>; see <see cref="Discovery.DnsDiscovery"/>.</summary>
public sealed class WoolDnsOptions
{
    /// <summary>The fully qualified name: a headless Service's (with <see cref="Port"/>) or an SRV name (without).</summary>
    public string? Name { get; set; }

    /// <summary>The port every worker listens on; leave it out to read SRV records.</summary>
    public int? Port { get; set; }

    /// <summary>DNS servers to ask (<c>10.96.0.10:53</c>); the machine's resolvers when empty.</summary>
    public List<string> Servers { get; set; } = [];

    /// <summary>The longest wait between lookups, whatever the records' TTL (default 30 s).</summary>
    public TimeSpan? MaxInterval { get; set; }
}
