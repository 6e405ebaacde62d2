namespace Wool.Hosting;

/// <summary>
/// A durable worker run inside the application (<c>services.AddWoolWorker()</c>), bound from the
/// <c>WoolWorker</c> configuration section, then adjusted in code. The same options as the
/// <c>Wool.dll worker</c> command (see <c>worker --help</c>), checked by the same rules when the
/// host starts. Mutable (the options pattern); read once, at start.
/// </summary>
public sealed class WoolWorkerOptions
{
    /// <summary>The configuration section bound by default: <c>WoolWorker</c>.</summary>
    public const string SectionName = "WoolWorker";

    /// <summary>Where pools find this worker: <c>local</c> (default, this machine), <c>lan</c>, or <c>none</c>.</summary>
    public string Discovery { get; set; } = "local";

    /// <summary>The discovery namespace (required with local or lan).</summary>
    public string? Namespace { get; set; }

    /// <summary>Where to serve (<c>host:port</c> or <c>unix:/path</c>); chosen for the discovery when null.</summary>
    public string? Listen { get; set; }

    /// <summary>Tags pools select this worker by.</summary>
    public List<string> Tags { get; set; } = [];

    /// <summary>The access token file callers must present (for discovery other than local, without TLS).</summary>
    public string? AccessTokenFile { get; set; }

    /// <summary>TLS credentials; none when null.</summary>
    public WoolTlsOptions? Tls { get; set; }

    /// <summary>Serve a network address without TLS (isolated, trusted networks only).</summary>
    public bool InsecureListenOnNetwork { get; set; }

    /// <summary>Types that may travel beyond the application's own.</summary>
    public List<string> AllowedTypes { get; set; } = [];

    /// <summary>When the host stops, how long calls in flight may finish (default 10 s).</summary>
    public TimeSpan? GracePeriod { get; set; }

    /// <summary>The limits one caller may take of this worker; the defaults of <see cref="WorkerLimits"/> when null.</summary>
    public WorkerLimits? Limits { get; set; }

    /// <summary>The equivalent <c>Wool.dll worker</c> command line, which the worker's own rules check.</summary>
    internal List<string> ToArguments()
    {
        var args = new List<string> { "--discovery", Discovery };
        void Add(string name, string? value)
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                args.Add(name);
                args.Add(value);
            }
        }

        Add("--namespace", Namespace);
        Add("--listen", Listen);
        Add("--access-token-file", AccessTokenFile);
        Tags.ForEach(tag => Add("--tag", tag));
        AllowedTypes.ForEach(type => Add("--allow-type", type));
        if (Tls is { } tls)
        {
            Add("--tls-authority", tls.Authority);
            Add("--tls-certificate", tls.Certificate);
            Add("--tls-key", tls.Key);
            Add("--tls-worker-identity", tls.WorkerIdentity);
            tls.CallerIdentities.ForEach(caller => Add("--tls-caller-identity", caller));
            if (!tls.Mutual)
            {
                args.Add("--tls-one-way");
            }
        }

        if (InsecureListenOnNetwork)
        {
            args.Add("--insecure-listen-on-network");
        }

        if (GracePeriod is { } grace)
        {
            Add("--grace-period", ((int)Math.Ceiling(grace.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (Limits is { } limits)
        {
            args.AddRange(limits.ToWorkerArguments());
        }

        return args;
    }
}
