using System.Net;

namespace Wool.Workers;

/// <summary>A worker process's command line.</summary>
internal sealed record WorkerOptions(IPEndPoint Listen, bool ExitWithParent, TimeSpan DefaultGracePeriod)
{
    public static WorkerOptions Parse(ReadOnlySpan<string> args)
    {
        var listen = new IPEndPoint(IPAddress.Loopback, 0);
        bool exitWithParent = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--listen" when i + 1 < args.Length:
                    listen = IPEndPoint.TryParse(args[++i], out var endpoint)
                        ? endpoint
                        : throw new ArgumentException($"--listen expects an address and port such as 127.0.0.1:0, not '{args[i]}'.");
                    break;
                case "--exit-with-parent":
                    exitWithParent = true;
                    break;
                default:
                    throw new ArgumentException($"Unknown worker option '{args[i]}'. Options: --listen <address:port>, --exit-with-parent.");
            }
        }

        return new WorkerOptions(listen, exitWithParent, TimeSpan.FromSeconds(10));
    }
}
