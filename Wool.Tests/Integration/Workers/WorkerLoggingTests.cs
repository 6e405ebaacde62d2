using Microsoft.Extensions.Logging;

namespace Wool.Tests.Integration.Workers;

/// <summary>Spawned workers log at the level the pool sets, and their lines reach the pool's loggers.</summary>
[TestClass]
public sealed class WorkerLoggingTests
{
    [TestMethod]
    public async Task Pool_WithWorkerLogLevel_GetsItsWorkersLinesAtThatLevelAndNoneBelowByDefault()
    {
        var verbose = new CapturingLoggerProvider();
        var quiet = new CapturingLoggerProvider();
        using var verboseLoggers = LoggerFactory.Create(builder => builder.AddProvider(verbose).SetMinimumLevel(LogLevel.Trace));
        using var quietLoggers = LoggerFactory.Create(builder => builder.AddProvider(quiet).SetMinimumLevel(LogLevel.Trace));

        await using (var pool = new WorkerPool(spawn: 1, options: WorkerPoolOptions.Default with { LoggerFactory = verboseLoggers, WorkerLogLevel = LogLevel.Information, WorkerLogFilters = new Dictionary<string, LogLevel> { ["Microsoft"] = LogLevel.Warning } }))
        {
            await pool.WaitForWorkersAsync().WaitAsync(Timeouts.Default);
            int worker = pool.Workers.Single().ProcessId;
            await Eventually.WaitUntilAsync(() => Task.FromResult(verbose.Messages.Any(m => m.Contains($"Worker {worker} serves at", StringComparison.Ordinal))), "the worker's information line reaches the pool");
            Assert.IsFalse(verbose.Messages.Any(m => m.Contains("Microsoft.Hosting.Lifetime", StringComparison.Ordinal)), "The filter keeps Microsoft's information lines out.");
        }

        await using (var pool = new WorkerPool(spawn: 1, options: WorkerPoolOptions.Default with { LoggerFactory = quietLoggers }))
        {
            await pool.WaitForWorkersAsync().WaitAsync(Timeouts.Default);
            await Task.Delay(500);
            Assert.IsFalse(quiet.Messages.Any(m => m.Contains("serves at", StringComparison.Ordinal)), "By default a worker writes warnings and worse only, whatever the application's appsettings.json (Information, next to these tests) says.");
        }
    }
}
