using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Wool.Workers.Pool;

/// <summary>
/// How this application starts a worker process: the <c>dotnet</c> host running Wool.dll with
/// this application's own runtime configuration and dependency file, so that the worker resolves
/// exactly the assemblies the caller resolves (its woven assemblies included), whether the caller
/// runs from <c>dotnet run</c>, a test host or a published folder.
/// </summary>
internal sealed record WorkerLaunch(string Host, string WoolAssembly, string? RuntimeConfig, string? DepsFile)
{
    public static WorkerLaunch ForThisApplication()
    {
        string wool = typeof(WorkerLaunch).Assembly.Location;
        if (string.IsNullOrEmpty(wool))
        {
            throw new WoolException(
                "Wool cannot start worker processes from a single-file application: Wool.dll is not on disk. " +
                "Publish without PublishSingleFile, or start workers yourself with 'dotnet Wool.dll worker'.");
        }

        // The host lists the application's dependency file first, then the shared frameworks', separated by ';' on every OS.
        string? deps = (AppContext.GetData("APP_CONTEXT_DEPS_FILES") as string)?
            .Split(';', StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(File.Exists);
        string? runtimeConfig = deps is not null && deps.EndsWith(".deps.json", StringComparison.OrdinalIgnoreCase)
            ? deps[..^".deps.json".Length] + ".runtimeconfig.json"
            : null;
        if (runtimeConfig is null || !File.Exists(runtimeConfig))
        {
            runtimeConfig = Path.ChangeExtension(wool, ".runtimeconfig.json");
            deps = null;
            if (!File.Exists(runtimeConfig))
            {
                throw new WoolException(
                    $"Wool cannot start worker processes: no runtime configuration was found for this application or for '{wool}'. " +
                    "Run the application with 'dotnet run' or from its build or publish folder.");
            }
        }

        return new WorkerLaunch(FindHost(), wool, runtimeConfig, deps);
    }

    /// <summary>Extra worker options (for example the admission policy).</summary>
    public IReadOnlyList<string> WorkerArguments { get; init; } = [];

    /// <summary>
    /// The tokens the worker requires of its callers and of its owner; they travel over the worker's
    /// stdin (<see cref="WorkerProcess"/> writes them), never on the command line another user can read.
    /// </summary>
    public (Security.AccessToken Access, Security.AccessToken Owner)? Tokens { get; init; }

    public ProcessStartInfo CreateStartInfo()
    {
        var start = new ProcessStartInfo(Host)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add("exec");
        if (RuntimeConfig is not null)
        {
            start.ArgumentList.Add("--runtimeconfig");
            start.ArgumentList.Add(RuntimeConfig);
        }

        if (DepsFile is not null)
        {
            start.ArgumentList.Add("--depsfile");
            start.ArgumentList.Add(DepsFile);
        }

        start.ArgumentList.Add(WoolAssembly);
        start.ArgumentList.Add("worker");
        start.ArgumentList.Add("--exit-with-parent");
        start.ArgumentList.Add("--parent-pid");
        start.ArgumentList.Add(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (Tokens is not null)
        {
            start.ArgumentList.Add("--access-token-from-stdin");
        }

        foreach (string argument in WorkerArguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The worker chooses its own loopback address; inherited ASP.NET settings must not move it.
        foreach (string variable in new[] { "ASPNETCORE_URLS", "DOTNET_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS" })
        {
            start.Environment.Remove(variable);
        }

        return start;
    }

    private static string FindHost()
    {
        string executable = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "dotnet.exe" : "dotnet";
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { } hostPath && File.Exists(hostPath))
        {
            return hostPath;
        }

        if (Environment.ProcessPath is { } processPath && Path.GetFileName(processPath) == executable)
        {
            return processPath;
        }

        // <root>/shared/Microsoft.NETCore.App/<version>/ → <root>/dotnet
        string runtimeDirectory = RuntimeEnvironment.GetRuntimeDirectory();
        string root = Path.GetFullPath(Path.Combine(runtimeDirectory, "..", "..", ".."));
        string candidate = Path.Combine(root, executable);
        return File.Exists(candidate) ? candidate : executable;
    }
}
