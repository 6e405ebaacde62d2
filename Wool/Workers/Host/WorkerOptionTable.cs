using System.Text;
using System.Text.Json;

namespace Wool.Workers.Host;

/// <summary>
/// Every option of <c>Wool.dll worker</c>, with its environment variable and help, and where values
/// come from: the command line first, then environment variables (<c>WOOL_DISCOVERY=lan</c>), then
/// a JSON file named by <c>--config</c> (<c>{ "discovery": "lan", "tag": ["gpu"] }</c>). A worker a
/// pool spawns (<c>--access-token-from-stdin</c>) takes its command line alone: the application's
/// environment must not reconfigure the pool's private workers. The file must be this user's and
/// writable by no one else.
/// </summary>
internal static class WorkerOptionTable
{
    public enum Kind
    {
        Valued,
        Flag,
        Repeatable,
    }

    public sealed record Option(string Name, Kind Kind, string Value, string Help)
    {
        /// <summary>The environment variable: <c>--max-message-size</c> → <c>WOOL_MAX_MESSAGE_SIZE</c>.</summary>
        public string Environment => "WOOL_" + Name.TrimStart('-').Replace('-', '_').ToUpperInvariant();

        /// <summary>The key in a configuration file: the name without its dashes.</summary>
        public string Key => Name.TrimStart('-');
    }

    public static readonly Option[] All =
    [
        new("--discovery", Kind.Valued, "local|lan|etcd|dns|static|none", "where peers and pools find this worker (default none)"),
        new("--namespace", Kind.Valued, "name", "the discovery namespace (required with local, lan or etcd)"),
        new("--etcd-endpoint", Kind.Repeatable, "url", "etcd: a client URL of the etcd cluster, e.g. http://etcd:2379 (repeatable)"),
        new("--etcd-lease-ttl", Kind.Valued, "seconds", "etcd: this worker's lease; it is dropped that long after dying (default 10)"),
        new("--dns-name", Kind.Valued, "name", "dns: the workers' DNS name (A/AAAA with --dns-port; SRV without)"),
        new("--dns-port", Kind.Valued, "port", "dns: the port every worker listens on (leave out for SRV records)"),
        new("--dns-server", Kind.Repeatable, "address:port", "dns: a DNS server to ask (repeatable; default: /etc/resolv.conf's)"),
        new("--peer", Kind.Repeatable, "host:port", "static: another worker's address (repeatable)"),
        new("--listen", Kind.Valued, "host:port|unix:/path", "where to serve (default: a private Unix socket for local discovery, loopback otherwise)"),
        new("--tag", Kind.Repeatable, "tag", "a tag pools select workers by (repeatable; comma-separated in the environment)"),
        new("--access-token-file", Kind.Valued, "file", "the access token callers must present (made, mode 0600, when missing)"),
        new("--access-token-from-stdin", Kind.Flag, "", "read the tokens from stdin (a spawning pool does this)"),
        new("--tls-authority", Kind.Valued, "ca.pem", "TLS: the certificate authority of callers and peers"),
        new("--tls-certificate", Kind.Valued, "cert.pem", "TLS: this worker's certificate"),
        new("--tls-key", Kind.Valued, "key.pem", "TLS: the certificate's unencrypted private key"),
        new("--tls-one-way", Kind.Flag, "", "TLS: do not require callers to present a certificate"),
        new("--tls-worker-identity", Kind.Valued, "dns name", "TLS: the name every worker's certificate carries"),
        new("--tls-caller-identity", Kind.Repeatable, "dns name", "TLS: a name a caller's certificate may carry (repeatable)"),
        new("--insecure-listen-on-network", Kind.Flag, "", "serve a network address without TLS (isolated, trusted networks only)"),
        new("--assemblies", Kind.Valued, "folder", "load the application's assemblies from this folder too"),
        new("--allow-type", Kind.Repeatable, "assembly:Name|Namespace.*|Type", "a type that may travel beyond the application's (repeatable)"),
        new("--accept-code", Kind.Flag, "", "run routines this worker lacks with code their caller ships, from the pool that spawned it or an --accept-code-from caller"),
        new("--accept-code-from", Kind.Repeatable, "dns name", "TLS: a caller identity whose code this worker runs, with --accept-code (repeatable)"),
        new("--code-cache", Kind.Valued, "folder", "where shipped code is kept across restarts (default ~/.cache/wool/code)"),
        new("--code-idle-unload", Kind.Valued, "seconds", "unload a shipped build after this long without calls (default 600; 0: never)"),
        new("--admission", Kind.Valued, "Type, Assembly", "an admission policy for calls"),
        new("--grace-period", Kind.Valued, "seconds", "on SIGTERM, how long calls in flight may finish (default 10)"),
        new("--advertise", Kind.Valued, "host[:port]", "the address to publish for pools and peers instead of the listening one (e.g. a pod's IP)"),
        new("--health-listen", Kind.Valued, "host:port", "also serve the gRPC health service there, alone, without TLS or token (for probes)"),
        new("--log-level", Kind.Valued, "Trace|Debug|Information|Warning|Error|Critical|None", "the least severe log lines written to stderr (default Warning)"),
        new("--log-filter", Kind.Repeatable, "category=level", "a level for one log category and those below it, e.g. Wool.Workers=Debug (repeatable)"),
        new("--startup", Kind.Valued, "Type, Assembly", "a Wool.IWorkerStartup that configures this process's services first (telemetry exporters)"),
        new("--max-message-size", Kind.Valued, "bytes", "the largest call, result or stream item (default 4 MiB)"),
        new("--max-value-depth", Kind.Valued, "levels", "how deeply values may nest (default 500)"),
        new("--max-calls-per-connection", Kind.Valued, "n", "calls one connection may run at once (default 1024)"),
        new("--max-streams-per-connection", Kind.Valued, "n", "streams one connection may hold open (default 256)"),
        new("--max-connections", Kind.Valued, "n", "connections served at once (default 256)"),
        new("--exit-with-parent", Kind.Flag, "", "exit when the parent process exits"),
        new("--parent-pid", Kind.Valued, "pid", "the parent to watch (default: the actual parent)"),
        new("--config", Kind.Valued, "file.json", "read options from a JSON file (keys without dashes)"),
    ];

    private static readonly Dictionary<string, Option> ByName = All.ToDictionary(o => o.Name, StringComparer.Ordinal);

    /// <summary>What <c>worker --help</c> prints.</summary>
    public static string Help()
    {
        var text = new StringBuilder();
        text.AppendLine("Usage: dotnet exec --runtimeconfig <app>.runtimeconfig.json --depsfile <app>.deps.json Wool.dll worker [options]");
        text.AppendLine("Options (command line first, then environment variables, then the --config file):");
        foreach (Option option in All)
        {
            string usage = option.Kind == Kind.Flag ? option.Name : $"{option.Name} <{option.Value}>";
            text.AppendLine($"  {usage,-58} {option.Environment,-34} {option.Help}");
        }

        return text.ToString();
    }

    /// <summary>The options given, by name: the command line, then the environment and the configuration file for what it leaves out.</summary>
    /// <exception cref="ArgumentException">An option is unknown, lacks its value, is given twice, or the file is unreadable.</exception>
    public static Dictionary<string, List<string>> Read(ReadOnlySpan<string> args, Func<string, string?> environment)
    {
        Dictionary<string, List<string>> given = FromCommandLine(args);
        if (given.ContainsKey("--access-token-from-stdin"))
        {
            return given;
        }

        foreach (Option option in All)
        {
            if (!given.ContainsKey(option.Name) && environment(option.Environment) is { Length: > 0 } value)
            {
                given[option.Name] = option.Kind switch
                {
                    Kind.Flag => IsTrue(option.Environment, value) ? [""] : [],
                    Kind.Repeatable => [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
                    _ => [value],
                };
            }
        }

        if (given.TryGetValue("--config", out List<string>? file) && file.Count > 0)
        {
            foreach (var (name, values) in FromFile(file[0]))
            {
                given.TryAdd(name, values);
            }
        }

        foreach (string empty in given.Where(p => p.Value.Count == 0).Select(p => p.Key).ToList())
        {
            given.Remove(empty);
        }

        return given;
    }

    private static Dictionary<string, List<string>> FromCommandLine(ReadOnlySpan<string> args)
    {
        var given = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        for (int i = 0; i < args.Length; i++)
        {
            if (!ByName.TryGetValue(args[i], out Option? option))
            {
                throw new ArgumentException($"Unknown worker option '{args[i]}'. Run 'Wool.dll worker --help' for the list.");
            }

            string value = "";
            if (option.Kind != Kind.Flag)
            {
                value = i + 1 < args.Length && args[i + 1].Length > 0 ? args[++i] : throw new ArgumentException($"Option '{option.Name}' needs a value: {option.Name} <{option.Value}>.");
            }

            if (given.TryGetValue(option.Name, out List<string>? values))
            {
                values.Add(option.Kind == Kind.Repeatable ? value : throw new ArgumentException($"Option '{option.Name}' is given twice; give it once."));
            }
            else
            {
                given[option.Name] = [value];
            }
        }

        return given;
    }

    private static IEnumerable<(string Name, List<string> Values)> FromFile(string path)
    {
        JsonDocument document;
        try
        {
            // The file decides what the worker trusts (TLS, listening addresses, allowed types): it
            // must be this user's, and no one else may write it. Checked on the handle that is read.
            using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            if (Security.LocalUser.Describe(file) is var (owner, mode) && Security.LocalUser.Id is { } me && (owner != me || (mode & 0x12) != 0))
            {
                throw new ArgumentException(owner != me
                    ? $"--config {path}: the file belongs to user {owner}, not to this user ({me}); another user could choose this worker's options. Use a file of your own."
                    : $"--config {path}: other users may write the file (mode {Convert.ToString(mode & 0x1FF, 8)}) and so choose this worker's options. chmod go-w '{path}'.");
            }

            using var stream = new FileStream(file, FileAccess.Read);
            document = JsonDocument.Parse(stream, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            throw new ArgumentException($"--config {path}: {e.Message}");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ArgumentException($"--config {path}: the file must hold one JSON object of options, e.g. {{ \"discovery\": \"local\", \"namespace\": \"prod\" }}.");
            }

            var options = new List<(string, List<string>)>();
            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                Option option = ByName.GetValueOrDefault("--" + property.Name) is { Name: not "--config" } known
                    ? known
                    : throw new ArgumentException($"--config {path}: unknown option '{property.Name}'. Run 'Wool.dll worker --help' for the list.");
                options.Add((option.Name, Values(path, option, property.Value)));
            }

            return options;
        }
    }

    private static List<string> Values(string path, Option option, JsonElement value) => (option.Kind, value.ValueKind) switch
    {
        (Kind.Flag, JsonValueKind.True) => [""],
        (Kind.Flag, JsonValueKind.False) => [],
        (Kind.Repeatable, JsonValueKind.Array) => [.. value.EnumerateArray().Select(v => Scalar(path, option, v))],
        (not Kind.Flag, _) when value.ValueKind != JsonValueKind.Array => [Scalar(path, option, value)],
        _ => throw new ArgumentException($"--config {path}: '{option.Key}' should be {(option.Kind == Kind.Flag ? "true or false" : option.Kind == Kind.Repeatable ? "a value or an array of values" : "one value")}."),
    };

    private static string Scalar(string path, Option option, JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Number => value.GetRawText(),
        _ => throw new ArgumentException($"--config {path}: '{option.Key}' should be a string or a number."),
    };

    private static bool IsTrue(string variable, string value) => value.Trim().ToLowerInvariant() switch
    {
        "1" or "true" or "yes" => true,
        "0" or "false" or "no" => false,
        _ => throw new ArgumentException($"{variable} is '{value}'; use true or false."),
    };
}
