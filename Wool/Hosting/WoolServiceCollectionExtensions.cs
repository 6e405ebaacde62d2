using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Wool;
using Wool.Hosting;

// The namespace of IServiceCollection, as ASP.NET Core's and Orleans' registration methods use,
// so that AddWool is found where AddGrpc and AddHealthChecks are.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Wool in a Generic Host or ASP.NET Core application.</summary>
public static class WoolServiceCollectionExtensions
{
    /// <summary>
    /// Registers the application's worker pool for the host's lifetime: configured from the
    /// <c>Wool</c> configuration section and then <paramref name="configure"/>, validated when the
    /// host starts, started with it (by default the start waits until the spawned workers serve)
    /// and disposed when it stops. Routine calls made anywhere in the application where no pool is
    /// ambient (request handlers, gRPC services, hosted services, <c>Task.Run</c>, thread-pool
    /// callbacks) run on it; a pool created in a narrower scope (<c>await using var pool = …</c>)
    /// takes precedence within that scope. Also registers <see cref="WorkerPool"/> (resolvable once
    /// the host has started) and a <c>wool</c> health check of the pool's workers.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configure">Adjusts the options after configuration is bound; none when null.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddWool(this IServiceCollection services, Action<WoolOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(static d => d.ServiceType == typeof(ApplicationPoolService)))
        {
            // Registered already: only the further configuration applies.
            if (configure is not null)
            {
                services.Configure(configure);
            }

            return services;
        }

        OptionsBuilder<WoolOptions> options = services.AddOptions<WoolOptions>().BindConfiguration(WoolOptions.SectionName);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WoolOptions>, WoolOptionsValidation>());
        services.TryAddSingleton<ApplicationPoolService>();
        services.AddHostedService(static provider => provider.GetRequiredService<ApplicationPoolService>());
        services.TryAddSingleton(static provider => provider.GetRequiredService<ApplicationPoolService>().Pool);
        services.AddHealthChecks().AddCheck<WorkerPoolHealthCheck>("wool");
        return services;
    }

    /// <summary>
    /// Runs a durable worker inside this application for the host's lifetime: pools find it through
    /// its discovery (by default this machine's, in the namespace <c>WoolWorker:Namespace</c>) and
    /// run routines on it; those routines get the application's services from
    /// <see cref="WorkerServices.Provider"/>, and log to its loggers. Configured from the
    /// <c>WoolWorker</c> section, then <paramref name="configure"/>, with the options and rules of
    /// the <c>Wool.dll worker</c> command; an invalid option fails the host's start naming it.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configure">Adjusts the options after configuration is bound; none when null.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection AddWoolWorker(this IServiceCollection services, Action<WoolWorkerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<WoolWorkerOptions> options = services.AddOptions<WoolWorkerOptions>().BindConfiguration(WoolWorkerOptions.SectionName);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WoolWorkerOptions>, WoolWorkerOptionsValidation>());
        if (!services.Any(static d => d.ServiceType == typeof(EmbeddedWorkerService)))
        {
            services.AddSingleton<EmbeddedWorkerService>();
            services.AddHostedService(static provider => provider.GetRequiredService<EmbeddedWorkerService>());
        }

        return services;
    }
}
