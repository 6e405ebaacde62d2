using System.Diagnostics;
using Wool.Workers.Host;

namespace Wool.Tests.Workers.Host;

/// <summary>
/// The worker command: every option has an environment variable and a configuration-file key,
/// the command line wins over the environment, which wins over the file, and --help lists them all.
/// </summary>
[TestClass]
public sealed class WorkerCommandLineTests
{
    private static readonly Func<string, string?> NoEnvironment = _ => null;

    [TestMethod]
    public void Parse_OptionsFromEnvironment_FillWhatTheCommandLineLeavesOut()
    {
        var environment = new Dictionary<string, string> { ["WOOL_DISCOVERY"] = "local", ["WOOL_NAMESPACE"] = "from-env", ["WOOL_TAG"] = "gpu, fast", ["WOOL_GRACE_PERIOD"] = "3" };

        WorkerOptions options = WorkerCommandLine.Parse(["--namespace", "from-args"], environment.GetValueOrDefault);

        Assert.AreEqual("local", options.DiscoveryMode);
        Assert.AreEqual("from-args", options.DiscoveryNamespace, "The command line wins over the environment.");
        CollectionAssert.AreEqual(new[] { "gpu", "fast" }, options.Tags.ToArray());
        Assert.AreEqual(TimeSpan.FromSeconds(3), options.DefaultGracePeriod);
    }

    [TestMethod]
    public void Parse_LogLevelAndFilters_FromCommandLineAndEnvironment()
    {
        var environment = new Dictionary<string, string> { ["WOOL_LOG_LEVEL"] = "debug", ["WOOL_LOG_FILTER"] = "Microsoft=Error, Wool.Workers.Peers=Trace" };

        WorkerOptions options = WorkerCommandLine.Parse(["--insecure-listen-on-network"], environment.GetValueOrDefault);
        WorkerOptions quiet = WorkerCommandLine.Parse(["--insecure-listen-on-network", "--log-level", "None"], environment.GetValueOrDefault);
        var number = Assert.ThrowsExactly<ArgumentException>(() => WorkerCommandLine.Parse(["--insecure-listen-on-network", "--log-level", "2"], NoEnvironment));
        var filter = Assert.ThrowsExactly<ArgumentException>(() => WorkerCommandLine.Parse(["--insecure-listen-on-network", "--log-filter", "Wool"], NoEnvironment));

        Assert.AreEqual(Microsoft.Extensions.Logging.LogLevel.Debug, options.LogLevel);
        Assert.AreEqual(Microsoft.Extensions.Logging.LogLevel.Trace, options.LogFilters["Wool.Workers.Peers"]);
        Assert.AreEqual(Microsoft.Extensions.Logging.LogLevel.Error, options.LogFilters["Microsoft"]);
        Assert.AreEqual(Microsoft.Extensions.Logging.LogLevel.None, quiet.LogLevel, "The command line wins over the environment.");
        Assert.AreEqual(Microsoft.Extensions.Logging.LogLevel.Warning, WorkerCommandLine.Parse(["--insecure-listen-on-network"], NoEnvironment).LogLevel);
        StringAssert.Contains(number.Message, "'2' is not a log level");
        StringAssert.Contains(filter.Message, "--log-filter expects category=level");
    }

    [TestMethod]
    public void Parse_AcceptCode_ReadsItsOptions_AndRefusesThemAlone()
    {
        WorkerOptions accepting = WorkerCommandLine.Parse(["--insecure-listen-on-network", "--accept-code", "--code-cache", "cache", "--code-idle-unload", "0"], NoEnvironment);
        WorkerOptions plain = WorkerCommandLine.Parse(["--insecure-listen-on-network"], NoEnvironment);
        var alone = Assert.ThrowsExactly<ArgumentException>(() => WorkerCommandLine.Parse(["--insecure-listen-on-network", "--code-cache", "cache"], NoEnvironment));
        var withoutTls = Assert.ThrowsExactly<ArgumentException>(() => WorkerCommandLine.Parse(["--insecure-listen-on-network", "--accept-code", "--accept-code-from", "my-app"], NoEnvironment));

        Assert.IsTrue(accepting.AcceptCode);
        Assert.AreEqual(Path.GetFullPath("cache"), accepting.CodeCache);
        Assert.IsNull(accepting.CodeIdleUnload, "0 never unloads.");
        Assert.IsFalse(plain.AcceptCode, "Shipped code is off unless asked for.");
        Assert.AreEqual(TimeSpan.FromMinutes(10), plain.CodeIdleUnload);
        StringAssert.Contains(alone.Message, "--code-cache goes with --accept-code, which this worker was not given");
        StringAssert.Contains(withoutTls.Message, "--accept-code-from names callers by their mutual-TLS certificate");
    }

    [TestMethod]
    public void Parse_Startup_CreatesItFromCommandLineOrEnvironment_AndNamesABadOne()
    {
        string startup = typeof(Integration.Telemetry.TelemetryWorkerStartup).AssemblyQualifiedName!;
        var environment = new Dictionary<string, string> { ["WOOL_STARTUP"] = startup };

        WorkerOptions fromEnvironment = WorkerCommandLine.Parse(["--insecure-listen-on-network"], environment.GetValueOrDefault);
        var missing = Assert.ThrowsExactly<ArgumentException>(() => WorkerCommandLine.Parse(["--insecure-listen-on-network", "--startup", "Nowhere.Startup, Nowhere"], NoEnvironment));
        var wrong = Assert.ThrowsExactly<ArgumentException>(() => WorkerCommandLine.Parse(["--insecure-listen-on-network", "--startup", typeof(object).AssemblyQualifiedName!], NoEnvironment));

        Assert.IsInstanceOfType<Integration.Telemetry.TelemetryWorkerStartup>(fromEnvironment.Startup);
        Assert.IsNull(WorkerCommandLine.Parse(["--insecure-listen-on-network"], NoEnvironment).Startup);
        StringAssert.Contains(missing.Message, "--startup (WOOL_STARTUP): the type 'Nowhere.Startup, Nowhere' cannot be loaded");
        StringAssert.Contains(wrong.Message, "'System.Object' does not implement Wool.IWorkerStartup; implement it");
    }

    [TestMethod]
    public void Parse_ConfigFile_FillsWhatNeitherCommandLineNorEnvironmentGive()
    {
        string file = Path.Combine(Path.GetTempPath(), $"wool-worker-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, """{ "discovery": "local", "namespace": "from-file", "tag": ["a", "b"], "max-connections": 7, "exit-with-parent": false }""");
        try
        {
            WorkerOptions options = WorkerCommandLine.Parse(["--config", file], new Dictionary<string, string> { ["WOOL_NAMESPACE"] = "from-env" }.GetValueOrDefault);

            Assert.AreEqual("from-env", options.DiscoveryNamespace, "The environment wins over the file.");
            CollectionAssert.AreEqual(new[] { "a", "b" }, options.Tags.ToArray());
            Assert.AreEqual(7, options.Limits.MaxConnections);
            Assert.IsFalse(options.ExitWithParent);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [TestMethod]
    [DataRow("""{ "discovery": "local", "namespce": "x" }""", "unknown option 'namespce'")]
    [DataRow("""{ "tag": true }""", "'tag' should be a string or a number")]
    [DataRow("""[1]""", "the file must hold one JSON object of options")]
    public void Parse_BadConfigFile_NamesTheProblem(string json, string expected)
    {
        string file = Path.Combine(Path.GetTempPath(), $"wool-worker-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, json);
        try
        {
            var error = Assert.ThrowsExactly<ArgumentException>(() => WorkerCommandLine.Parse(["--config", file], NoEnvironment));

            StringAssert.Contains(error.Message, expected);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [TestMethod]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Parse_ConfigFileOthersMayWrite_IsRefused()
    {
        string file = Path.Combine(Path.GetTempPath(), $"wool-worker-{Guid.NewGuid():N}.json");
        File.WriteAllText(file, """{ "discovery": "local", "namespace": "x", "insecure-listen-on-network": true }""");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite);
        try
        {
            var error = Assert.ThrowsExactly<ArgumentException>(() => WorkerCommandLine.Parse(["--config", file], NoEnvironment));

            StringAssert.Contains(error.Message, "other users may write the file (mode 606) and so choose this worker's options");
        }
        finally
        {
            File.Delete(file);
        }
    }

    [TestMethod]
    public void Parse_SpawnedWorker_IgnoresTheEnvironment()
    {
        WorkerOptions options = WorkerCommandLine.Parse(["--access-token-from-stdin"], new Dictionary<string, string> { ["WOOL_DISCOVERY"] = "lan", ["WOOL_NAMESPACE"] = "x" }.GetValueOrDefault);

        Assert.AreEqual("none", options.DiscoveryMode, "A pool's private worker takes its command line alone.");
    }

    [TestMethod]
    [DataRow(new[] { "--namespace", "prod" }, "--namespace names a discovery namespace; give it with --discovery local, lan or etcd")]
    [DataRow(new[] { "--discovery", "local", "--namespace", "prod", "--grace-period", "soon" }, "--grace-period expects a positive whole number, not 'soon'")]
    [DataRow(new[] { "--tag" }, "Option '--tag' needs a value: --tag <tag>")]
    [DataRow(new[] { "--colour", "blue" }, "Unknown worker option '--colour'. Run 'Wool.dll worker --help' for the list.")]
    public void Parse_Mistake_NamesTheOption(string[] args, string expected)
    {
        var error = Assert.ThrowsExactly<ArgumentException>(() => WorkerCommandLine.Parse(args, NoEnvironment));

        StringAssert.Contains(error.Message, expected);
    }

    [TestMethod]
    public async Task Help_ListsEveryOptionWithItsEnvironmentVariable()
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string argument in new[] { Path.Combine(AppContext.BaseDirectory, "Wool.dll"), "worker", "--help" })
        {
            start.ArgumentList.Add(argument);
        }

        using var worker = Process.Start(start)!;
        string help = await worker.StandardOutput.ReadToEndAsync().WaitAsync(Timeouts.Default);
        await worker.WaitForExitAsync().WaitAsync(Timeouts.Default);

        Assert.AreEqual(0, worker.ExitCode);
        foreach (WorkerOptionTable.Option option in WorkerOptionTable.All)
        {
            StringAssert.Contains(help, option.Name);
            StringAssert.Contains(help, option.Environment);
        }

        StringAssert.Contains(help, "WOOL_GRACE_PERIOD");
    }
}
