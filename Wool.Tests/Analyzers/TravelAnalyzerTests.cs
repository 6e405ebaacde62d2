using System.Globalization;
using Wool.Analyzers;

namespace Wool.Tests.Analyzers;

/// <summary>
/// WOOL013 before running anything: a parameter, an argument, <c>this</c> or a captured variable
/// whose static type the runtime would refuse, at its place, in the runtime's words; nothing for
/// values that travel or fields that stay home.
/// </summary>
[TestClass]
public sealed class TravelAnalyzerTests
{
    [TestMethod]
    public async Task Analyze_ProcessBoundValues_WarnAtParameterArgumentCaptureAndThis()
    {
        await AnalyzerHarness.VerifyAsync("""
            using Microsoft.Extensions.Logging;

            public class Routines
            {
                private readonly ILogger _logger = null!;

                [Routine] public static async Task<int> Read({|WOOL013:Stream source|}) { await Task.Yield(); return 0; }
                [Routine] public static async Task<int> Apply({|WOOL013:Func<int, int> map|}, int x) { await Task.Yield(); return x; }
                [Routine] public static async Task<string> Describe(object value) { await Task.Yield(); return value.ToString()!; }
                [Routine] public async Task<int> {|WOOL013:Logged|}(int x) { await Task.Yield(); return x; }

                public static async Task Caller()
                {
                    using var cts = new CancellationTokenSource();
                    await Describe({|WOOL013:new MemoryStream()|});
                    await Describe(42);
                    Func<Task<bool>> routine = [Routine] async () => { await Task.Yield(); return {|WOOL013:cts|}.IsCancellationRequested; };
                    await routine();
                }
            }
            """, new TravelAnalyzer());
    }

    [TestMethod]
    public async Task Analyze_CapturedHttpClient_SaysWhatTheRuntimeSays()
    {
        var diagnostics = await AnalyzerHarness.AnalyzeAsync("""
            public class ObjectRefusalTests
            {
                public void CapturedHttpClient_IsRefusedAsTheHttpClientItIs()
                {
                    using var http = new System.Net.Http.HttpClient();
                    Func<Task<int>> routine = [Routine] async () =>
                    {
                        await Task.Yield();
                        return http.Timeout.Seconds;
                    };
                }
            }
            """, new TravelAnalyzer());

        // The runtime's own message for this code (ObjectRefusalTests.CapturedHttpClient_IsRefusedAsTheHttpClientItIs) starts the same way.
        StringAssert.StartsWith(diagnostics.Single().GetMessage(CultureInfo.InvariantCulture),
            "Could not send captured variable 'http' (HttpClient) of routine 'lambda in ObjectRefusalTests.CapturedHttpClient_IsRefusedAsTheHttpClientItIs': " +
            "it is bound to this process: an HTTP client holds this process's connections. Create the client on the worker (a static one, or IHttpClientFactory).");
    }

    [TestMethod]
    public async Task Analyze_FieldReachedThroughOthers_NamesThePathAsTheRuntimeDoes()
    {
        var diagnostics = await AnalyzerHarness.AnalyzeAsync("""
            public static class ObjectRoutines
            {
                [Routine] public static async Task<object> Echo(object value) { await Task.Yield(); return value; }
            }

            public class ObjectRefusalTests
            {
                public sealed class Holder { public Inner? Inner; }
                public sealed class Inner { public SemaphoreSlim? Gate; }

                public Task Send(Holder holder) => ObjectRoutines.Echo(holder);
            }
            """, new TravelAnalyzer());

        Assert.AreEqual(
            "Could not send argument 'value' of routine 'ObjectRoutines.Echo': field 'ObjectRefusalTests.Inner.Gate' (SemaphoreSlim), reached through 'ObjectRefusalTests.Holder.Inner', is bound to this process: " +
            "a lock or semaphore coordinates this process's threads. Mark it [NonSerialized] or pass what the routine needs as an argument (create one where it is used).",
            diagnostics.Single().GetMessage(CultureInfo.InvariantCulture));
    }

    [TestMethod]
    public async Task Analyze_CollectionOfStreams_SaysTheArgumentHoldsOne()
    {
        var diagnostics = await AnalyzerHarness.AnalyzeAsync("""
            public static class ObjectRoutines
            {
                [Routine] public static async Task<object> Echo(object value) { await Task.Yield(); return value; }
                public static Task Send(List<MemoryStream> streams) => Echo(streams);
            }
            """, new TravelAnalyzer());

        Assert.AreEqual(
            "Could not send argument 'value' of routine 'ObjectRoutines.Echo' (List<MemoryStream>): it holds a 'MemoryStream', which is bound to this process: streams and sockets are live I/O. " +
            "Pass the bytes (byte[]) or an address to open on the worker.",
            diagnostics.Single().GetMessage(CultureInfo.InvariantCulture));
    }

    [TestMethod]
    public async Task Analyze_ThisWithALoggerField_NamesTheField()
    {
        var diagnostics = await AnalyzerHarness.AnalyzeAsync("""
            using Microsoft.Extensions.Logging;

            public sealed class WeatherService(ILogger<WeatherService> logger)
            {
                private readonly ILogger<WeatherService> _logger = logger;

                [Routine] public async Task<int> Forecast(int days) { await Task.Yield(); return days; }
            }
            """, new TravelAnalyzer());

        Assert.AreEqual(
            "Could not send 'this' of routine 'WeatherService.Forecast': field 'WeatherService._logger' (ILogger<WeatherService>) is bound to this process: " +
            "a logger writes to this process's log providers. Mark it [NonSerialized] or pass what the routine needs as an argument (log on the worker through a logger of its own).",
            diagnostics.Single().GetMessage(CultureInfo.InvariantCulture));
    }

    [TestMethod]
    public async Task Analyze_LambdaUsingAFieldOfThis_WarnsAtTheUse()
    {
        await AnalyzerHarness.VerifyAsync("""
            public sealed class Reader
            {
                private readonly Stream _source = Stream.Null;

                public Func<Task<long>> Length() => [Routine] async () => { await Task.Yield(); return {|WOOL013:_source|}.Length; };
            }
            """, new TravelAnalyzer());
    }

    [TestMethod]
    public async Task Analyze_ValuesThatTravelAndFieldsThatStayHome_ReportNothing()
    {
        var diagnostics = await AnalyzerHarness.AnalyzeAsync("""
            using MessagePack;
            using Microsoft.Extensions.Logging;

            public sealed class Node { public Node? Next; public Node? Previous; public int Value; }

            [MessagePackObject]
            public sealed class Contracted { [Key(0)] public int Id; [IgnoreMember] public Stream? Cache; }

            public sealed class Service
            {
                [NonSerialized] private readonly ILogger? _logger;
                [field: NonSerialized] public Stream? Cached { get; set; }
                [IgnoreMember] public SemaphoreSlim? Gate { get; set; }
                private readonly List<Node> _nodes = new();
                private readonly Dictionary<string, int[]> _table = new();

                [Routine] public async Task<int> Work(Node node, Contracted contracted, IAsyncEnumerable<int> items, CancellationToken token)
                {
                    await Task.Yield();
                    return node.Value + _nodes.Count + _table.Count;
                }

                public async Task Call(Node node, CancellationToken token)
                {
                    int offset = 3;
                    string name = "n";
                    Func<Task<int>> routine = [Routine] async () => { await Task.Yield(); return offset + name.Length + _nodes.Count; };
                    await routine();
                    await Work(node, new Contracted(), Items(), token);
                }

                private static async IAsyncEnumerable<int> Items() { await Task.Yield(); yield return 1; }
            }
            """, new TravelAnalyzer());

        Assert.IsEmpty(diagnostics, string.Join("\n", diagnostics));
    }

    [TestMethod]
    public async Task Analyze_AsyncStreamInsideAnotherValue_Warns()
    {
        await AnalyzerHarness.VerifyAsync("""
            public sealed class Batch { public IAsyncEnumerable<int>? Items; }

            public static class Routines
            {
                [Routine] public static async Task<int> Consume({|WOOL013:Batch batch|}) { await Task.Yield(); return 0; }
            }
            """, new TravelAnalyzer());
    }

    [TestMethod]
    public async Task Analyze_GenericTypeReachingEverNewTypes_EndsAndReportsNothing()
    {
        var diagnostics = await AnalyzerHarness.AnalyzeAsync("""
            public sealed class Node<T> { public T? Value; public Node<List<T>>? Child; }

            public static class Routines
            {
                [Routine] public static async Task<int> Depth(Node<int> node) { await Task.Yield(); return 0; }
            }
            """, new TravelAnalyzer());

        Assert.IsEmpty(diagnostics, string.Join("\n", diagnostics));
    }

    [TestMethod]
    public async Task Analyze_GenericRoutinesAndReceivers_WarnWhereTheCallNamesTheType()
    {
        await AnalyzerHarness.VerifyAsync("""
            public sealed class Box<T> { public T? Item; [Routine] public async Task<int> Show() { await Task.Yield(); return 1; } }
            public class Service { [Routine] public async Task<int> Work() { await Task.Yield(); return 1; } }
            public sealed class StreamingService : Service { public Stream Source = Stream.Null; }

            public static class Routines
            {
                [Routine] public static async Task<T> Echo<T>(T value) { await Task.Yield(); return value; }

                public static async Task Call(MemoryStream ms)
                {
                    await Echo({|WOOL013:ms|});
                    await Echo(42);
                    await {|WOOL013:new Box<MemoryStream> { Item = ms }|}.Show();
                    await new Box<int>().Show();
                    await {|WOOL013:new StreamingService()|}.Work();
                    await new Service().Work();
                }
            }
            """, new TravelAnalyzer());
    }

    [TestMethod]
    public async Task Analyze_ResultsStreamedItemsDelegatesAndEvents_Warn()
    {
        var diagnostics = await AnalyzerHarness.VerifyAsync("""
            public sealed class Model
            {
                public event EventHandler? Changed;
                [field: NonSerialized] public event EventHandler? Quiet;
                public void Raise() { Changed?.Invoke(this, EventArgs.Empty); Quiet?.Invoke(this, EventArgs.Empty); }
            }

            public static class Routines
            {
                [Routine] public static async {|WOOL013:Task<Stream>|} Open(string path) { await Task.Yield(); return Stream.Null; }
                [Routine] public static async Task<int> Count({|WOOL013:IAsyncEnumerable<Stream> items|}) { await Task.Yield(); return 0; }
                [Routine] public static async Task<int> Invoke({|WOOL013:Delegate action|}) { await Task.Yield(); return 0; }
                [Routine] public static async Task<int> Save({|WOOL013:Model model|}) { await Task.Yield(); return 0; }
            }
            """, new TravelAnalyzer());

        StringAssert.StartsWith(diagnostics[0].GetMessage(CultureInfo.InvariantCulture), "Could not return the result of routine 'Routines.Open' (Stream): it is bound to this process");
        StringAssert.Contains(diagnostics[3].GetMessage(CultureInfo.InvariantCulture), "field 'Model.Changed' (EventHandler) is bound to this process");
    }

    [TestMethod]
    public async Task Analyze_PrimaryConstructorParameter_IsNamedAsWrittenWithARemedyThatCompiles()
    {
        var diagnostics = await AnalyzerHarness.AnalyzeAsync("""
            using Microsoft.Extensions.Logging;

            public sealed class Service(ILogger<Service> logger)
            {
                [Routine] public async Task<int> Work() { await Task.Yield(); logger.LogInformation("working"); return 1; }
            }
            """, new TravelAnalyzer());

        Assert.AreEqual(
            "Could not send 'this' of routine 'Service.Work': field 'Service.logger' (ILogger<Service>) is bound to this process: a logger writes to this process's log providers. " +
            "Copy the parameter into a field of your own marked [NonSerialized] (a primary constructor's parameter cannot be marked) or pass what the routine needs as an argument (log on the worker through a logger of its own).",
            diagnostics.Single().GetMessage(CultureInfo.InvariantCulture));
    }

    [TestMethod]
    public async Task Analyze_VariableAnotherClosureCapturesFromTheSameScope_WarnsAtTheRoutine()
    {
        var diagnostics = await AnalyzerHarness.VerifyAsync("""
            public static class Program
            {
                public static async Task<int> Run()
                {
                    var ms = new MemoryStream();
                    int offset = 100;
                    Func<long> length = () => ms.Length;
                    var shift = [Routine] {|WOOL013:async (int y) =>|} { await Task.Yield(); return y + offset; };
                    return await shift(1) + (int)length();
                }
            }
            """, new TravelAnalyzer());

        StringAssert.StartsWith(diagnostics.Single().GetMessage(CultureInfo.InvariantCulture),
            "Could not send captured variable 'ms' (MemoryStream) of routine 'lambda in Program.Run': it is bound to this process: streams and sockets are live I/O.");
        StringAssert.Contains(diagnostics.Single().GetMessage(CultureInfo.InvariantCulture), "A lambda or local function captures every variable of its scope that any closure there uses");
    }

    [TestMethod]
    public async Task Analyze_NamesThatDoNotReadThis_AreNotCaptures()
    {
        var diagnostics = await AnalyzerHarness.AnalyzeAsync("""
            using System.Runtime.CompilerServices;

            public sealed class Holder
            {
                private readonly Stream _log = Stream.Null;

                public Func<int, Task<int>> Make() => [Routine] async (int n) =>
                {
                    await Task.Yield();
                    [MethodImpl(MethodImplOptions.NoInlining)] static int Twice(int x) => x * 2;
                    int Square() => n * n;
                    string field = nameof(_log);
                    return Twice(n) + Square() + field.Length;
                };

                [Routine]
                public static async Task<int> Fact(int n) { await Task.Yield(); return n <= 1 ? 1 : n * await Fact(n - 1); }
            }

            public unsafe struct Packet { public fixed byte Header[16]; public int Length; }

            public static class Routines
            {
                [Routine] public static async Task<int> Send(Packet packet) { await Task.Yield(); return packet.Length; }
            }
            """, new TravelAnalyzer());

        Assert.IsEmpty(diagnostics, string.Join("\n", diagnostics));
    }

    [TestMethod]
    public async Task Analyze_LargeModelWithManyPaths_FindsTheStreamAtTheBottomQuickly()
    {
        // Each level holds the next twice: 2^30 paths, 31 types. Walking paths would never end; walking types is instant.
        var levels = Enumerable.Range(0, 30).Select(i => $"public sealed class L{i} {{ public L{i + 1}? A; public L{i + 1}? B; public List<L{i + 1}>? C; }}");
        var diagnostics = await AnalyzerHarness.AnalyzeAsync(string.Join("\n", levels) + """

            public sealed class L30 { public Stream? Bottom; }

            public sealed class N<T> { public T? Value; public N<List<T>>? A; public N<T[]>? B; }

            public static class Routines
            {
                [Routine] public static async Task<int> Go(L0 root) { await Task.Yield(); return 0; }
                [Routine] public static async Task<int> Grow(N<int> node) { await Task.Yield(); return 0; }
            }
            """, new TravelAnalyzer());

        StringAssert.Contains(diagnostics.Single().GetMessage(CultureInfo.InvariantCulture), "field 'L30.Bottom' (Stream), reached through 'L0.A' → 'L1.A'");
    }
}
