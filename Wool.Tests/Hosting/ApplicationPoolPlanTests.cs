using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Wool.Hosting;

namespace Wool.Tests.Hosting;

/// <summary>What an application's configuration (<c>Wool:…</c>) makes of its pool, checked without starting one.</summary>
[TestClass]
public sealed class ApplicationPoolPlanTests
{
    [TestMethod]
    public void From_WorkerLogSettingsInConfiguration_ReachThePoolsWorkers()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Wool:Spawn"] = "1",
            ["Wool:WorkerLogLevel"] = "Information",
            ["Wool:WorkerLogFilters:Wool.Workers"] = "Debug",
            ["Wool:WorkerLogFilters:Microsoft"] = "Error",
        }).Build();
        WoolOptions options = configuration.GetSection(WoolOptions.SectionName).Get<WoolOptions>()!;

        var (plan, errors) = ApplicationPoolPlan.From(options, loggerFactory: null);

        Assert.IsEmpty(errors);
        Assert.AreEqual(LogLevel.Information, plan!.Options.WorkerLogLevel);
        Assert.AreEqual(LogLevel.Debug, plan.Options.WorkerLogFilters["Wool.Workers"]);
        Assert.AreEqual(LogLevel.Error, plan.Options.WorkerLogFilters["Microsoft"]);
        Assert.AreEqual(LogLevel.Warning, ApplicationPoolPlan.From(new WoolOptions { Spawn = 1 }, null).Plan!.Options.WorkerLogLevel, "Warning unless configured.");
    }
}
