using Wool.Routines;

namespace Wool.Tests.Routines;

/// <summary>A hot reload patch of an assembly with routines is said, naming them and the remedy; one without routines is not.</summary>
[TestClass]
public sealed class HotReloadWatchTests
{
    [TestMethod]
    public async Task Warning_UpdateOfAnAssemblyWithRoutines_NamesThemAndSaysToRestart()
    {
        // Registers the fixtures' routines (their module initializer runs on first use).
        await using (new InProcessPool())
        {
            await Fixtures.StaticShapes.PublicAdd(1, 2).WaitAsync(Timeouts.Default);
        }

        string? warning = HotReloadWatch.Warning([typeof(Fixtures.StaticShapes)]);

        Assert.IsNotNull(warning);
        StringAssert.StartsWith(warning, "Wool: hot reload patched Wool.Tests.Fixtures, whose routines Wool wove (");
        StringAssert.Contains(warning, "those routines may now run in this process instead of on workers");
        StringAssert.Contains(warning, "dotnet watch --no-hot-reload");
        Assert.IsNull(HotReloadWatch.Warning([typeof(string)]), "An update of an assembly without routines says nothing.");
    }
}
