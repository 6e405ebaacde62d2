using System.Net;

namespace Wool.Workers;

/// <summary>A worker process's command line.</summary>
internal sealed record WorkerOptions(IPEndPoint Listen, bool ExitWithParent, TimeSpan DefaultGracePeriod)
{
    /// <summary>The local discovery namespace to publish in and find peers in (<c>--discovery local --namespace</c>).</summary>
    public string? DiscoveryNamespace { get; init; }

    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>A folder to load the application's assemblies from, besides the worker's own.</summary>
    public string? Assemblies { get; init; }

    /// <summary>The admission policy (<c>--admission "Type, Assembly"</c>), created at start.</summary>
    public IAdmissionPolicy? Admission { get; init; }

    public const string Usage = "Options: --listen <address:port>, --discovery local|none, --namespace <name>, --tag <tag> (repeatable), --assemblies <folder>, --admission <type, assembly>, --exit-with-parent.";

    public static WorkerOptions Parse(ReadOnlySpan<string> args)
    {
        var listen = new IPEndPoint(IPAddress.Loopback, 0);
        bool exitWithParent = false;
        string discovery = "none";
        string? @namespace = null;
        string? assemblies = null;
        string? admission = null;
        var tags = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            string value = i + 1 < args.Length ? args[i + 1] : "";
            switch (args[i])
            {
                case "--listen" when value.Length > 0:
                    listen = IPEndPoint.TryParse(value, out var endpoint)
                        ? endpoint
                        : throw new ArgumentException($"--listen expects an address and port such as 127.0.0.1:0, not '{value}'.");
                    i++;
                    break;
                case "--discovery" when value is "local" or "none":
                    discovery = value;
                    i++;
                    break;
                case "--namespace" when value.Length > 0:
                    @namespace = value;
                    i++;
                    break;
                case "--tag" when value.Length > 0:
                    tags.Add(value);
                    i++;
                    break;
                case "--assemblies" when value.Length > 0:
                    assemblies = Directory.Exists(value) ? Path.GetFullPath(value) : throw new ArgumentException($"--assemblies: the folder '{value}' does not exist.");
                    i++;
                    break;
                case "--admission" when value.Length > 0:
                    admission = value;
                    i++;
                    break;
                case "--exit-with-parent":
                    exitWithParent = true;
                    break;
                default:
                    throw new ArgumentException($"Unknown or incomplete worker option '{args[i]}'. {Usage}");
            }
        }

        if (discovery == "local" && @namespace is null)
        {
            throw new ArgumentException("--discovery local needs --namespace <name>: only pools and workers of the same namespace see each other.");
        }

        if (discovery == "none" && @namespace is not null)
        {
            throw new ArgumentException("--namespace is only meaningful with --discovery local.");
        }

        if (!IPAddress.IsLoopback(listen.Address))
        {
            throw new ArgumentException($"--listen {listen}: a worker executes code on request, so without TLS it listens on loopback only. Listening on other addresses will come with TLS credentials.");
        }

        return new WorkerOptions(listen, exitWithParent, TimeSpan.FromSeconds(10))
        {
            DiscoveryNamespace = @namespace,
            Tags = tags,
            Assemblies = assemblies,
            Admission = admission is null ? null : CreatePolicy(admission),
        };
    }

    private static IAdmissionPolicy CreatePolicy(string typeName)
    {
        Type type = Type.GetType(typeName, throwOnError: false)
            ?? throw new ArgumentException($"--admission: the type '{typeName}' cannot be loaded. Give its assembly-qualified name, and deploy its assembly with the worker.");
        if (!typeof(IAdmissionPolicy).IsAssignableFrom(type) || type.GetConstructor(Type.EmptyTypes) is null)
        {
            throw new ArgumentException($"--admission: '{type.FullName}' must implement Wool.Workers.IAdmissionPolicy and have a public parameterless constructor.");
        }

        return (IAdmissionPolicy)Activator.CreateInstance(type)!;
    }
}
