namespace Wool.Tests.Architecture;

/// <summary>Small files named after their type: a runtime file that outgrows 300 lines is a sign it does two jobs.</summary>
[TestClass]
public sealed class SourceSizeTests
{
    private const int MaxLines = 300;

    [TestMethod]
    public void RuntimeSources_AreAtMost300LinesEach()
    {
        string root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Wool.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new AssertInconclusiveException("The sources are not beside this build; nothing to measure.");
        }

        string runtime = Path.Combine(root, "Wool");
        var tooLong = Directory.EnumerateFiles(runtime, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal) && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => (File: Path.GetRelativePath(runtime, f), Lines: File.ReadLines(f).Count()))
            .Where(f => f.Lines > MaxLines)
            .Select(f => $"{f.File}: {f.Lines} lines")
            .ToList();

        Assert.IsEmpty(tooLong, "Split these by job:\n" + string.Join("\n", tooLong));
    }
}
