namespace Wool;

/// <summary>
/// The services of the application that hosts this worker (<c>services.AddWoolWorker()</c>), or
/// those its <see cref="IWorkerStartup"/> registered (a spawned or durable worker with a startup), for
/// routines running on it: <c>WorkerServices.Provider.GetRequiredService&lt;IOrderStore&gt;()</c>
/// gets the worker's own database client, cache or HTTP client, which stay in the worker's process
/// and never travel. A routine's arguments carry data; its services come from where it runs.
/// </summary>
/// <remarks>Thread-safe. Set while an <c>AddWoolWorker</c> host, or a worker with a startup, runs; unset elsewhere.</remarks>
public static class WorkerServices
{
    private static IServiceProvider? s_provider;

    /// <summary>Whether this process is a worker hosted by an application (so <see cref="Provider"/> is available).</summary>
    public static bool IsAvailable => Volatile.Read(ref s_provider) is not null;

    /// <summary>The hosting application's services.</summary>
    /// <exception cref="InvalidOperationException">This process is not a worker hosted with <c>AddWoolWorker</c>.</exception>
    public static IServiceProvider Provider => Volatile.Read(ref s_provider) ?? throw new InvalidOperationException(
        "WorkerServices are available to routines running on a worker that an application hosts with 'builder.Services.AddWoolWorker()', " +
        "or on a worker process with a startup ([assembly: WorkerStartup(typeof(…))], or --startup) that registers them. " +
        "This call ran in a process without either (a spawned worker without a startup, a plain 'Wool.dll worker', or an InProcessPool). " +
        "Send such routines to the application's worker: a pool that discovers it (its Discovery and Namespace) and spawns none; or pass what the routine needs as arguments.");

    internal static void Use(IServiceProvider? provider) => Volatile.Write(ref s_provider, provider);
}
