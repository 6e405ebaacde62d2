using System.Globalization;
using Wool.Analyzers;

namespace Wool.Tests.Analyzers;

/// <summary>WOOL012: an override of a routine that is not marked runs in the caller; the analyzer says so at its name.</summary>
[TestClass]
public sealed class OverrideAnalyzerTests
{
    [TestMethod]
    public async Task Analyze_OverrideWithoutRoutine_WarnsAtItsName()
    {
        var diagnostics = await AnalyzerHarness.VerifyAsync("""
            public class BaseService
            {
                [Routine] public virtual async Task<int> Compute(int x) { await Task.Yield(); return x; }
                public virtual async Task<int> Plain(int x) { await Task.Yield(); return x; }
            }

            public class Middle : BaseService
            {
                public override async Task<int> Plain(int x) { await Task.Yield(); return x + 1; }
            }

            public sealed class DerivedService : Middle
            {
                public override async Task<int> {|WOOL012:Compute|}(int x) { await Task.Yield(); return x + 1; }
            }

            public sealed class MarkedService : BaseService
            {
                [Routine] public override async Task<int> Compute(int x) { await Task.Yield(); return x + 2; }
            }
            """, new OverrideAnalyzer());

        Assert.AreEqual(Microsoft.CodeAnalysis.DiagnosticSeverity.Warning, diagnostics.Single().Severity);
        Assert.AreEqual(
            "'DerivedService.Compute' overrides the routine 'BaseService.Compute' without [Routine], so a call that reaches it runs in the caller, not on a worker. Mark the override [Routine] as well.",
            diagnostics.Single().GetMessage(CultureInfo.InvariantCulture));
    }

    [TestMethod]
    public async Task Analyze_ImplementationOfADefaultInterfaceRoutine_WarnsAtItsName()
    {
        var diagnostics = await AnalyzerHarness.VerifyAsync("""
            public interface IWork { [Routine] async Task<int> Compute(int x) { await Task.Yield(); return x; } }
            public class Work : IWork { public async Task<int> {|WOOL012:Compute|}(int x) { await Task.Yield(); return x + 1; } }
            public class ExplicitWork : IWork { async Task<int> IWork.{|WOOL012:Compute|}(int x) { await Task.Yield(); return x + 2; } }
            public class MarkedWork : IWork { [Routine] public async Task<int> Compute(int x) { await Task.Yield(); return x + 3; } }
            public class InheritedWork : IWork { }
            """, new OverrideAnalyzer());

        StringAssert.StartsWith(diagnostics[0].GetMessage(CultureInfo.InvariantCulture), "'Work.Compute' implements the routine 'IWork.Compute' (a default interface method) without [Routine]");
    }
}
