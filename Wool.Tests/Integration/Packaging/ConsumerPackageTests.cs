namespace Wool.Tests.Integration.Packaging;

/// <summary>
/// The product as users meet it: the packed Wool.Fody package, referenced by a brand-new console
/// project outside this repository, which builds, runs routines on two workers, publishes, and
/// shows the analyzer's and the weaver's diagnostics at the method's name.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class ConsumerPackageTests
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromMinutes(5);

    private static string s_root = null!;
    private static string s_work = null!;
    private static string s_version = null!;

    [ClassInitialize]
    public static async Task PackAsync(TestContext context)
    {
        s_root = FindRepositoryRoot();
        s_work = Directory.CreateTempSubdirectory("wool-consumer-").FullName;
        // A version of its own, so the machine's package cache can never serve an older build.
        s_version = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}";
        var (exit, output) = await DotnetCli.RunAsync(s_root, CommandTimeout, "pack", "Wool.Package", "-c", "Release", "-o", Path.Combine(s_work, "feed"), $"-p:Version={s_version}");
        Assert.AreEqual(0, exit, output);
    }

    [ClassCleanup]
    public static void DeleteWork() => Directory.Delete(s_work, recursive: true);

    [TestMethod]
    public async Task Consumer_ReferencingOnlyThePackage_BuildsAndRunsRoutinesOnWorkers()
    {
        string app = CreateConsumer("app");

        var (buildExit, buildOutput) = await DotnetCli.RunAsync(app, CommandTimeout, "build");
        Assert.AreEqual(0, buildExit, buildOutput);
        var (runExit, runOutput) = await DotnetCli.RunAsync(app, CommandTimeout, "run", "--no-build");

        Assert.AreEqual(0, runExit, runOutput);
        AssertRanOnWorkers(runOutput);
        AssertNoPathIntoRepository(app);
    }

    [TestMethod]
    public void Package_RuntimeAssembly_IsReadyToRunForLinuxX64()
    {
        string package = Path.Combine(s_work, "feed", $"Wool.Fody.{s_version}.nupkg");
        using var archive = System.IO.Compression.ZipFile.OpenRead(package);
        using var image = new MemoryStream();
        using (Stream entry = archive.GetEntry("lib/net10.0/Wool.dll")!.Open())
        {
            entry.CopyTo(image);
        }

        image.Position = 0;
        using var reader = new System.Reflection.PortableExecutable.PEReader(image);
        var header = reader.PEHeaders.CorHeader!;

        // A ReadyToRun image has a managed native header (its precompiled code) and keeps its IL.
        Assert.IsGreaterThan(0, header.ManagedNativeHeaderDirectory.Size, "The packed Wool.dll is not ReadyToRun.");
        // ReadyToRun code for Linux marks its machine as x64 XOR the Linux override (0x7B79).
        Assert.AreEqual((System.Reflection.PortableExecutable.Machine)(0x8664 ^ 0x7B79), reader.PEHeaders.CoffHeader.Machine);
        Assert.IsTrue(reader.HasMetadata);
    }

    [TestMethod]
    public async Task Consumer_Published_RunsRoutinesOnWorkersFromThePublishFolder()
    {
        string app = CreateConsumer("published");
        string publish = Path.Combine(app, "out");

        var (publishExit, publishOutput) = await DotnetCli.RunAsync(app, CommandTimeout, "publish", "-c", "Release", "-o", publish);
        Assert.AreEqual(0, publishExit, publishOutput);
        var (runExit, runOutput) = await DotnetCli.RunAsync(s_work, CommandTimeout, Path.Combine(publish, "Consumer.dll"));

        Assert.AreEqual(0, runExit, runOutput);
        AssertRanOnWorkers(runOutput);
    }

    [TestMethod]
    public async Task Consumer_WithInvalidRoutine_BuildShowsTheAnalyzersErrorAtTheMethodName()
    {
        string app = CreateConsumer("invalid");
        File.WriteAllText(Path.Combine(app, "Bad.cs"), BadRoutine);

        var (exit, output) = await DotnetCli.RunAsync(app, CommandTimeout, "build");

        // The package's analyzer loads in the SDK's compiler (no CS8032) and stops the build before Fody.
        Assert.AreNotEqual(0, exit, "A build with an invalid routine must fail.");
        StringAssert.Contains(output, "Bad.cs(6,29): error WOOL001: Could not weave 'Bad.NotAsync' because it is not an async method.");
        Assert.IsFalse(output.Contains("CS8032", StringComparison.Ordinal), output);
    }

    [TestMethod]
    public async Task Consumer_WithAnalyzersOff_TheWeaverStillRefusesAtTheMethodName()
    {
        string app = CreateConsumer("invalid-no-analyzers");
        File.WriteAllText(Path.Combine(app, "Bad.cs"), BadRoutine);

        var (exit, output) = await DotnetCli.RunAsync(app, CommandTimeout, "build", "-p:RunAnalyzers=false");

        Assert.AreNotEqual(0, exit, "A build with an invalid routine must fail.");
        StringAssert.Contains(output, "Bad.cs(6,29,6,37): error : Fody/Wool: WOOL001: Could not weave 'Bad.NotAsync' because it is not an async method.");
    }

    [TestMethod]
    public async Task Consumer_CapturingACancellationTokenSource_BuildWarnsAtTheCapture()
    {
        string app = CreateConsumer("captures");
        File.WriteAllText(Path.Combine(app, "Captures.cs"), """
            using Wool;

            static class Captures
            {
                public static Func<Task<bool>> Make(CancellationTokenSource cts)
                    => [Routine] async () => { await Task.Yield(); return cts.IsCancellationRequested; };
            }
            """);

        var (exit, output) = await DotnetCli.RunAsync(app, CommandTimeout, "build");

        Assert.AreEqual(0, exit, output);
        StringAssert.Contains(output, "Captures.cs(6,63): warning WOOL013: Could not send captured variable 'cts' (CancellationTokenSource) of routine 'lambda in Captures.Make': it is bound to this process: cancellation is per process.");
    }

    private const string BadRoutine = """
        using Wool;

        static class Bad
        {
            [Routine]
            public static Task<int> NotAsync(int x) => Task.FromResult(x);
        }
        """;

    [TestMethod]
    public async Task Consumer_WhoseFodyWeaversOmitsWool_FailsItsBuildInsteadOfRunningRoutinesLocally()
    {
        string app = CreateConsumer("unwoven");
        File.WriteAllText(Path.Combine(app, "FodyWeavers.xml"), "<Weavers>\n</Weavers>\n");

        var (exit, output) = await DotnetCli.RunAsync(app, CommandTimeout, "build");

        Assert.AreNotEqual(0, exit, "An unwoven build would run every routine in the caller; it must fail.");
        StringAssert.Contains(output, "error WOOL011: Could not weave 'Consumer' because FodyWeavers.xml does not list the Wool weaver");
        StringAssert.Contains(output, "Add <Wool /> inside <Weavers> in FodyWeavers.xml.");
    }

    private static string CreateConsumer(string name)
    {
        string app = Path.Combine(s_work, name);
        Directory.CreateDirectory(app);
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="wool" value="{Path.Combine(s_work, "feed")}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(app, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Wool.Fody" Version="{s_version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "FodyWeavers.xml"), "<Weavers>\n  <Wool />\n</Weavers>\n");
        File.Copy(Path.Combine(s_root, "Wool.Tests", "Integration", "Packaging", "ConsumerProgram.cs.txt"), Path.Combine(app, "Program.cs"));
        return app;
    }

    private static void AssertRanOnWorkers(string output)
    {
        string[] lines = output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        int caller = int.Parse(lines.Single(l => l.StartsWith("caller ", StringComparison.Ordinal))["caller ".Length..], System.Globalization.CultureInfo.InvariantCulture);
        string[] computed = [.. lines.Where(l => l.Contains("(worker ", StringComparison.Ordinal))];
        CollectionAssert.AreEqual(
            new[] { "1 + 100 = 101", "2 + 100 = 102", "3...", "2...", "1..." },
            computed.Select(l => l[..l.IndexOf(" (worker ", StringComparison.Ordinal)]).ToArray(),
            output);
        var workers = computed.Select(l => int.Parse(l[(l.IndexOf("(worker ", StringComparison.Ordinal) + 8)..^1], System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
        Assert.IsFalse(workers.Contains(caller), "Routines must run in worker processes, not in the caller.");
        Assert.HasCount(2, workers, "Calls must be spread over the pool's two workers.");
    }

    private static void AssertNoPathIntoRepository(string app)
    {
        foreach (string file in Directory.EnumerateFiles(app, "*", SearchOption.AllDirectories).Where(f => f.EndsWith(".json", StringComparison.Ordinal) || f.EndsWith(".csproj", StringComparison.Ordinal) || f.EndsWith(".props", StringComparison.Ordinal) || f.EndsWith(".targets", StringComparison.Ordinal)))
        {
            Assert.IsFalse(File.ReadAllText(file).Contains(s_root, StringComparison.Ordinal), $"'{file}' refers to the repository.");
        }
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Wool.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The tests must run from inside the repository.");
    }
}
