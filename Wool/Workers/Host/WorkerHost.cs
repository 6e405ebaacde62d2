using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Wool.Workers.Protocol;

namespace Wool.Workers.Host;

/// <summary>
/// Runs a worker: a gRPC server (Kestrel, HTTP/2; over TLS when it has credentials) that executes routine calls,
/// until it is asked to stop (Stop RPC, SIGTERM, SIGINT) or, when started by a pool, until its
/// parent process is gone.
/// </summary>
internal static class WorkerHost
{
    private const string SecurityCategory = "Wool.Workers.Security";

    /// <param name="options">The worker's command line, with its tokens when its pool sent them.</param>
    /// <param name="stdin">This process's stdin, which a spawning pool holds open for the worker's lifetime.</param>
    /// <exception cref="UnsafeLocationException">The folder of its socket, its discovery namespace or its token file is not private.</exception>
    public static Task<int> RunAsync(WorkerOptions options, Stream stdin) => RunAsync(options, stdin, embedded: null, loggers: null, CancellationToken.None);

    /// <summary>Runs a worker inside an application's host (<c>AddWoolWorker</c>): no signal handling or ready line of its own; <paramref name="stopping"/> stops it with its grace period.</summary>
    /// <param name="options">The worker's options.</param>
    /// <param name="stdin">Unused by an embedded worker (no parent pool holds it): <see cref="Stream.Null"/>.</param>
    /// <param name="embedded">Called once the worker serves, with the address it serves at.</param>
    /// <param name="loggers">The application's loggers, which the embedded worker logs to; its own console when null.</param>
    /// <param name="stopping">Stops the worker: refuse new calls, let those in flight finish for the grace period.</param>
    public static async Task<int> RunAsync(WorkerOptions options, Stream stdin, Action<string>? embedded, ILoggerFactory? loggers, CancellationToken stopping)
    {
        AppDirectoryResolver.Install(options.Assemblies);
        Serialization.WoolSerializer.Allow(options.AllowedTypes);

        Serialization.SerializerWarmUp.Start();
        Serialization.WoolSerializer.LimitValuesTo(options.Limits.MaxMessageSize);
        Serialization.WoolSerializer.LimitDepthTo(options.Limits.MaxValueDepth);

        string id = Guid.NewGuid().ToString("N");
        Discovery.IWorkerDiscovery? discovery = options.DiscoveryMode switch
        {
            "local" => new Discovery.LocalDiscovery(options.DiscoveryNamespace!),
            "lan" => new Discovery.LanDiscovery(options.DiscoveryNamespace!),
            _ => null,
        };
        options = options with
        {
            Listen = WorkerAddress.Listen(options, discovery, id),
            AccessToken = options.AccessToken ?? WorkerAddress.AccessToken(options, discovery),
        };

        var builder = WebApplication.CreateSlimBuilder();
        // The worker's endpoints are its own: an application's ASPNETCORE_URLS (inherited, or the
        // hosting app's own when embedded) must neither move them nor draw Kestrel's override warning.
        builder.WebHost.UseSetting(WebHostDefaults.ServerUrlsKey, "");
        builder.WebHost.UseSetting(WebHostDefaults.HttpPortsKey, "");
        builder.WebHost.UseSetting(WebHostDefaults.HttpsPortsKey, "");
        builder.Logging.ClearProviders();
        // Lines written inside a call carry its trace and span ids (as a scope), so they join its trace.
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.IncludeScopes = true;
        });
        builder.Logging.SetMinimumLevel(options.LogLevel);
        // A rule of its own, registered after the configuration's: the application's appsettings.json
        // ("Logging:LogLevel:Default") configures the application, not its workers' level.
        builder.Logging.AddFilter((string?)null, options.LogLevel);
        // A call channel is one long request: ASP.NET Core's per-request and per-connection scopes
        // (and the hosting's request activity) would only lengthen every line; a call's own trace
        // ids are the scope worth printing. A --log-filter for these categories still wins.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Server.Kestrel.Connections", LogLevel.None);
        // Which credentials serve, and when they rotate, is worth a line in any worker's log.
        builder.Logging.AddFilter(SecurityCategory, (LogLevel)Math.Min((int)LogLevel.Information, (int)options.LogLevel));
        foreach (var (category, level) in options.LogFilters)
        {
            builder.Logging.AddFilter(category, level);
        }
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        if (loggers is not null)
        {
            builder.Services.AddSingleton(loggers);
        }

        if (options.Startup is { } startup)
        {
            try
            {
                startup.ConfigureServices(builder.Services);
            }
            catch (Exception e)
            {
                throw new WorkerStartupException($"The worker startup '{startup.GetType().FullName}' failed: {e.Message}", e);
            }
        }

        // Signals are Wool's to handle: SIGTERM drains in-flight calls for the grace period.
        builder.Services.AddSingleton<IHostLifetime, PassiveHostLifetime>();
        var connections = new ConnectionLimit(options.Limits.MaxConnections);
        var probes = new ConnectionLimit(HealthEndpoint.MaxConnections, HealthEndpoint.ConnectionLifetime);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            ILoggerFactory loggers = kestrel.ApplicationServices.GetRequiredService<ILoggerFactory>();
            ILogger security = loggers.CreateLogger(SecurityCategory);
            connections.Logger = loggers.CreateLogger("Wool.Workers.Worker");
            WorkerAddress.Serve(kestrel, options.Listen, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                listen.Use(connections.Middleware);
                if (options.Listen is UnixDomainSocketEndPoint)
                {
                    listen.Use(new Security.LocalPeerCheck(security).Middleware);
                }

                if (options.Credentials is { } credentials)
                {
                    new Security.TlsServerHandshake(credentials, security).Apply(listen);
                }
            });
            if (options.HealthListen is { } health)
            {
                probes.Logger = connections.Logger;
                HealthEndpoint.Listen(kestrel, health, probes);
            }

            // A link uses one long-lived stream, and one more now and then for a status or a stop.
            kestrel.Limits.Http2.MaxStreamsPerConnection = 16;
            kestrel.Limits.Http2.InitialConnectionWindowSize = 8 * 1024 * 1024;
            kestrel.Limits.Http2.InitialStreamWindowSize = 4 * 1024 * 1024;
        });
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = WireProtocol.MessageLimit(options.Limits.MaxMessageSize);
            grpc.MaxSendMessageSize = WireProtocol.MessageLimit(options.Limits.MaxMessageSize);
        });
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<WorkerRuntime>();
        if (options.HealthListen is not null)
        {
            builder.Services.AddGrpcHealthChecks().AddCheck<WorkerHealthCheck>("wool-worker");
        }

        await using var app = builder.Build();
        if (embedded is null && options.Startup is not null)
        {
            // The services the application's startup registered are its routines' (the process is
            // this worker's alone), from the first call on: set before the worker listens.
            WorkerServices.Use(app.Services);
        }

        Telemetry.TelemetryLog.Logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Wool.Telemetry");
        ILogger securityLog = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(SecurityCategory);
        if (options.HealthListen is not null)
        {
            // The probe port answers the health check and nothing else; every other request is a caller's.
            app.UseWhen(HealthEndpoint.IsProbe, HealthEndpoint.Branch);
            app.UseWhen(context => !HealthEndpoint.IsProbe(context), callers => Authenticate(callers, options, securityLog, connections));
        }
        else
        {
            Authenticate(app, options, securityLog, connections);
        }

        app.MapGrpcService<WorkerService>();
        if (options.HealthListen is not null)
        {
            app.MapGrpcHealthChecksService();
        }

        await app.StartAsync().ConfigureAwait(false);

        var runtime = app.Services.GetRequiredService<WorkerRuntime>();

        Context.ContextLog.Logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Wool.Context");
        string address = WorkerAddress.Served(options.Listen, app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        runtime.Started(address);

        // An embedded worker leaves signals to its application's host, which stops it through 'stopping'.
        using var sigterm = embedded is null ? PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => StopOnSignal(context, runtime, options)) : null;
        using var sigint = embedded is null ? PosixSignalRegistration.Create(PosixSignal.SIGINT, context => StopOnSignal(context, runtime, options)) : null;
        using CancellationTokenRegistration stop = stopping.Register(() => _ = runtime.StopAsync(options.DefaultGracePeriod));
        if (options.ExitWithParent)
        {
            ParentWatch.Start(runtime, stdin);
        }

        // A worker process is the worker's alone: once idle after a peak, its memory goes back to
        // the system. (An embedded worker's process is its application's, which decides that.)
        using IDisposable? trim = embedded is null ? WorkerMemory.TrimWhenIdle(() => runtime.Status) : null;

        address = WorkerAddress.Advertised(address, runtime.Logger, options.Advertise);
        if (options.InsecureNetwork)
        {
            WorkerLog.InsecureListen(runtime.Logger, address);
        }

        using IDisposable? rotation = options.Credentials?.Subscribe(
            rotated =>
            {
                WorkerLog.CredentialsRotated(securityLog);
                runtime.Peers.Rotate(rotated);
            },
            failed => WorkerLog.CredentialsNotReloaded(securityLog, failed.Message));
        if (options.Credentials is { } tls)
        {
            WorkerLog.Tls(securityLog, tls.ToString());
        }

        discovery ??= options.DiscoveryFactory?.Invoke(runtime.Logger);
        await using var ownedDiscovery = discovery as IAsyncDisposable;
        await using DiscoveredPeers? discovered = discovery is null
            ? null
            : await DiscoveredPeers.StartAsync(discovery, new WorkerInfo(id, new Uri(address), Environment.ProcessId) { Tags = options.Tags, Secure = options.Credentials is not null }, runtime.Peers, runtime.Logger).ConfigureAwait(false);
        // On SIGTERM the worker leaves discovery first, then drains: pools stop sending it calls while those in flight finish.
        using CancellationTokenRegistration leave = discovered is null ? default : runtime.StopStarted.Register(() => _ = discovered.LeaveAsync());

        if (embedded is null)
        {
            Console.Out.WriteLine(WireProtocol.ReadyLine + address);
            Console.Out.Flush();
        }
        else
        {
            embedded(address);
        }

        await runtime.Stopped.ConfigureAwait(false);
        await app.StopAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        return 0;
    }

    /// <summary>What a caller's request passes before anything else sees it: the token, the TLS mark, a place among the connections served.</summary>
    private static void Authenticate(IApplicationBuilder callers, WorkerOptions options, ILogger securityLog, ConnectionLimit connections)
    {
        if (options.AccessToken is { } token)
        {
            // Before anything else sees a request: a caller without the token reaches nothing.
            callers.Use(new Security.AccessTokenCheck(token, securityLog).InvokeAsync);
        }

        if (options.Credentials is not null)
        {
            callers.Use(Security.TlsServerHandshake.MarkRequestAsync);
        }

        // Past TLS and the token: the connection now takes a place among those the worker serves.
        callers.Use(connections.AuthenticatedAsync);
    }

    private static void StopOnSignal(PosixSignalContext context, WorkerRuntime runtime, WorkerOptions options)
    {
        context.Cancel = true;
        _ = runtime.StopAsync(options.DefaultGracePeriod);
    }
}
