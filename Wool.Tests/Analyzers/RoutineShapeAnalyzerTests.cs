using Wool.Analyzers;

namespace Wool.Tests.Analyzers;

/// <summary>
/// The weaver's WOOL001–010 while typing: each at the exact place (name, return type, parameter,
/// Prefetch argument, a lambda's head), with the weaver's words, for methods, local functions and
/// lambdas; nothing for routines the weaver accepts.
/// </summary>
[TestClass]
public sealed class RoutineShapeAnalyzerTests
{
    [TestMethod]
    public async Task Analyze_EachShapeTheWeaverRefuses_ReportsItsCodeAtTheExactPlace()
    {
        await AnalyzerHarness.VerifyAsync("""
            public abstract class Shapes
            {
                [Routine] public static Task<int> {|WOOL001:NotAsync|}(int x) => Task.FromResult(x);
                [Routine] public static {|WOOL002:int|} WrongReturnType(int x) => x;
                [Routine] public static async {|WOOL003:void|} AsyncVoid() { await Task.Yield(); }
                [Routine] public static Task {|WOOL001:ByRef|}({|WOOL004:ref int x|}) => Task.CompletedTask;
                [Routine] public static unsafe Task {|WOOL001:Pointer|}({|WOOL005:int* values|}) => Task.CompletedTask;
                [Routine] public abstract Task<int> {|WOOL006:Abstract|}(int x);
                [Routine] public static async Task TwoTokens(CancellationToken first, {|WOOL007:CancellationToken second|}) { await Task.Delay(1, first); }
                [Routine] public static Task {|WOOL001,WOOL008:VarArgs|}(__arglist) => Task.CompletedTask;
                [Routine({|WOOL009:Prefetch = -1|})] public static async IAsyncEnumerable<int> NegativePrefetch() { await Task.Yield(); yield return 1; }
                [Routine({|WOOL010:Prefetch = 8|})] public static async Task<int> PrefetchWithoutStream() { await Task.Yield(); return 1; }
            }

            public interface IService
            {
                [Routine] Task<int> {|WOOL006:Compute|}(int x);
            }

            public static class Functions
            {
                public static void Use()
                {
                    Func<int, Task<int>> lambda = [Routine] {|WOOL001:(int x) =>|} Task.FromResult(x);
                    [Routine] static Task<int> {|WOOL001:Local|}() => Task.FromResult(1);
                    [Routine] static {|WOOL002:int|} Sync() => 1;
                }
            }
            """, new RoutineShapeAnalyzer());
    }

    [TestMethod]
    public async Task Analyze_RoutinesTheWeaverAccepts_ReportsNothing()
    {
        var diagnostics = await AnalyzerHarness.AnalyzeAsync("""
            public sealed record Order(string Id, decimal Total);

            public class Service
            {
                private readonly int _factor = 2;

                [Routine] public static async Task<int> Add(int x, int y) { await Task.Yield(); return x + y; }
                [Routine] public async ValueTask<int> Scale(int x) { await Task.Yield(); return x * _factor; }
                [Routine] public static async ValueTask Nothing(CancellationToken token) => await Task.Delay(1, token);
                [Routine] public static async Task<T> Echo<T>(T value) { await Task.Yield(); return value; }
                [Routine(Prefetch = 8)] public static async IAsyncEnumerable<int> Count(int n) { for (int i = 0; i < n; i++) { await Task.Yield(); yield return i; } }
                [Routine] public static async Task<int> Sum(IAsyncEnumerable<int> items) { int sum = 0; await foreach (int i in items) sum += i; return sum; }
                [Routine] public static async Task<decimal> Total(Order order, params int[] extra) { await Task.Yield(); return order.Total + extra.Sum(); }
                [Routine] public virtual async Task<int> Virtual(int x) { await Task.Yield(); return x; }
                public static Task<int> NotARoutine(int x) => Task.FromResult(x);

                public async Task<int> Closures(int offset)
                {
                    Func<int, Task<int>> lambda = [Routine] async (int x) => { await Task.Yield(); return x + offset; };
                    [Routine] async Task<int> Local(int y) { await Task.Yield(); return y * offset; }
                    return await lambda(1) + await Local(2);
                }
            }

            public sealed class Derived : Service
            {
                [Routine] public override async Task<int> Virtual(int x) { await Task.Yield(); return x + 1; }
            }
            """, new RoutineShapeAnalyzer(), new OverrideAnalyzer(), new TravelAnalyzer());

        Assert.IsEmpty(diagnostics, string.Join("\n", diagnostics));
    }

    [TestMethod]
    public async Task Analyze_AsyncVoid_SaysWhatTheWeaverSays()
    {
        var diagnostics = await AnalyzerHarness.AnalyzeAsync("""
            static class Jobs
            {
                [Routine] public static async void Fire() { await Task.Yield(); }
            }
            """, new RoutineShapeAnalyzer());

        var diagnostic = diagnostics.Single();
        Assert.AreEqual("WOOL003", diagnostic.Id);
        Assert.AreEqual(Microsoft.CodeAnalysis.DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.AreEqual("Could not weave 'Jobs.Fire' because it is 'async void', which a caller cannot await. Return Task instead.", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    [TestMethod]
    public async Task Analyze_RoutineLambdaAndLocalFunction_AreNamedAsTheWeaverNamesThem()
    {
        var diagnostics = await AnalyzerHarness.AnalyzeAsync("""
            namespace App;

            public class Outer<T>
            {
                public void Run()
                {
                    Func<Task<int>> lambda = [Routine] () => Task.FromResult(1);
                    [Routine] Task<int> Local() => Task.FromResult(2);
                }
            }
            """, new RoutineShapeAnalyzer());

        CollectionAssert.AreEqual(
            new[]
            {
                "Could not weave 'lambda in Outer<T>.Run' because it is not an async method. Declare it 'async' (Wool moves the async body to a worker), or remove [Routine].",
                "Could not weave 'local function Local in Outer<T>.Run' because it is not an async method. Declare it 'async' (Wool moves the async body to a worker), or remove [Routine].",
            },
            diagnostics.Select(d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
    }

    [TestMethod]
    public async Task Analyze_AnotherLibrarysRoutineAttribute_IsNotWools()
    {
        var diagnostics = await AnalyzerHarness.AnalyzeAsync("""
            [AttributeUsage(AttributeTargets.Method)] sealed class RoutineAttribute : Attribute { }
            static class Plain
            {
                [Routine] public static int NotWoolsRoutine() => 1;
            }
            """.Replace("[Routine]", "[global::RoutineAttribute]", StringComparison.Ordinal), new RoutineShapeAnalyzer());

        Assert.IsEmpty(diagnostics);
    }

    [TestMethod]
    public async Task Analyze_PartialRoutine_IsJudgedByItsImplementationOnce()
    {
        var diagnostics = await AnalyzerHarness.AnalyzeAsync("""
            public partial class Service
            {
                [Routine] public partial Task<int> Compute(int x);
                public partial async Task<int> Compute(int x) { await Task.Yield(); return x; }

                [Routine] public partial Task<int> Sync(int x);
                public partial Task<int> Sync(int x) => Task.FromResult(x);
            }
            """, new RoutineShapeAnalyzer(), new TravelAnalyzer());

        Assert.AreEqual("WOOL001", diagnostics.Single().Id, string.Join("\n", diagnostics));
        StringAssert.Contains(diagnostics.Single().GetMessage(System.Globalization.CultureInfo.InvariantCulture), "'Service.Sync'");
    }
}
