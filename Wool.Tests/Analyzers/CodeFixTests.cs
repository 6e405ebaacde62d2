using Wool.Analyzers;
using Wool.Analyzers.CodeFixes;

namespace Wool.Tests.Analyzers;

/// <summary>The obvious fixes: async void → async Task; a task-returning method made async (or unmarked).</summary>
[TestClass]
public sealed class CodeFixTests
{
    [TestMethod]
    public async Task ReturnTask_AsyncVoidRoutine_ReturnsTask()
    {
        string fixedSource = await AnalyzerHarness.FixAsync("""
            using System.Threading.Tasks;

            static class Jobs
            {
                [Routine]
                public static async void Fire() { await Task.Yield(); }
            }
            """, new RoutineShapeAnalyzer(), new ReturnTaskCodeFix(), "Return Task");

        StringAssert.Contains(fixedSource, "public static async Task Fire() { await Task.Yield(); }");
        Assert.IsEmpty(await AnalyzerHarness.AnalyzeAsync(fixedSource, new RoutineShapeAnalyzer()));
    }

    [TestMethod]
    public async Task MakeItAsync_TaskOfTRoutine_AwaitsWhatItReturned()
    {
        string fixedSource = await AnalyzerHarness.FixAsync("""
            static class Jobs
            {
                [Routine]
                public static Task<int> Twice(int x)
                {
                    if (x < 0)
                        return Task.FromResult(0);
                    return Task.FromResult(x * 2);
                }
            }
            """, new RoutineShapeAnalyzer(), new NotAsyncCodeFix(), "Make it async");

        StringAssert.Contains(fixedSource, "public static async Task<int> Twice(int x)");
        StringAssert.Contains(fixedSource, "return await Task.FromResult(0);");
        StringAssert.Contains(fixedSource, "return await Task.FromResult(x * 2);");
        Assert.IsEmpty(await AnalyzerHarness.AnalyzeAsync(fixedSource, new RoutineShapeAnalyzer()));
    }

    [TestMethod]
    public async Task MakeItAsync_ExpressionBodiedTaskRoutine_AwaitsTheExpression()
    {
        string fixedSource = await AnalyzerHarness.FixAsync("""
            static class Jobs
            {
                [Routine] public static Task Pause(int ms) => Task.Delay(ms);
            }
            """, new RoutineShapeAnalyzer(), new NotAsyncCodeFix(), "Make it async");

        StringAssert.Contains(fixedSource, "[Routine] public static async Task Pause(int ms) => await Task.Delay(ms);");
        Assert.IsEmpty(await AnalyzerHarness.AnalyzeAsync(fixedSource, new RoutineShapeAnalyzer()));
    }

    [TestMethod]
    public async Task RemoveRoutine_NonAsyncRoutine_KeepsTheMethodAndItsComment()
    {
        string fixedSource = await AnalyzerHarness.FixAsync("""
            static class Jobs
            {
                /// <summary>Doubles.</summary>
                [Routine]
                public static Task<int> Twice(int x) => Task.FromResult(x * 2);
            }
            """, new RoutineShapeAnalyzer(), new NotAsyncCodeFix(), "Remove [Routine]");

        Assert.AreEqual("""
            static class Jobs
            {
                /// <summary>Doubles.</summary>
                public static Task<int> Twice(int x) => Task.FromResult(x * 2);
            }
            """, fixedSource);
    }
}
