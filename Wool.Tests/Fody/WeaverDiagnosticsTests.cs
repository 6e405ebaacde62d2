using Fody;

namespace Wool.Tests.Fody;

/// <summary>
/// The weaver refuses every shape it cannot honour with a coded error that names the method,
/// says why, says what to do and points at the source line; one run reports all of them.
/// </summary>
[TestClass]
public sealed class WeaverDiagnosticsTests
{
    private static global::Fody.TestResult s_result = null!;
    private static string[] s_sourceLines = null!;

    [ClassInitialize]
    public static void WeaveInvalidFixture(TestContext context)
    {
        string assembly = typeof(Invalid.InvalidRoutines).Assembly.Location;
        s_result = new ModuleWeaver().ExecuteTestRun(assembly, runPeVerify: false, assemblyName: "Wool.Tests.Invalid.Woven");
        s_sourceLines = File.ReadAllLines(s_result.Errors.First(e => e.SequencePoint is not null).SequencePoint!.Document.Url);
    }

    [TestMethod]
    public void Weave_OverrideOfARoutineWithoutTheAttribute_LeavesTheWarningToTheAnalyzer()
    {
        // WOOL012 is the analyzer's, so that it can be suppressed like any warning; the weaver saying it too would print it twice.
        Assert.IsEmpty(s_result.Warnings.Where(w => w.Text.Contains("WOOL012", StringComparison.Ordinal)));
    }

    [TestMethod]
    [DataRow("WOOL001", "InvalidRoutines.NotAsync", "is not an async method", "Declare it 'async'")]
    [DataRow("WOOL002", "InvalidRoutines.WrongReturnType", "returns 'System.Int32'", "Return Task, Task<T>, ValueTask, ValueTask<T> or IAsyncEnumerable<T>")]
    [DataRow("WOOL003", "InvalidRoutines.AsyncVoid", "'async void'", "Return Task instead")]
    [DataRow("WOOL003", "InvalidRoutines.AsyncVoidBraceOnItsLine", "'async void'", "Return Task instead")]
    [DataRow("WOOL007", "InvalidRoutines.TwoTokensBraceOnItsLine", "more than one CancellationToken parameter", "Combine them into one token")]
    [DataRow("WOOL004", "InvalidRoutines.RefParameter", "parameter 'x' is passed by reference", "Pass it by value")]
    [DataRow("WOOL005", "InvalidRoutines.SpanParameter", "parameter 'values' is of type 'System.Span`1<System.Int32>'", "Pass an array")]
    [DataRow("WOOL005", "InvalidRoutines.PointerParameter", "parameter 'values' is of type 'System.Int32*'", "Pass an array")]
    [DataRow("WOOL007", "InvalidRoutines.TwoTokens", "more than one CancellationToken parameter", "Combine them into one token")]
    [DataRow("WOOL009", "InvalidRoutines.NegativePrefetch", "its Prefetch is -1", "Use 0 (strict pull, the default) or a positive window")]
    [DataRow("WOOL010", "InvalidRoutines.PrefetchWithoutStream", "sets Prefetch but does not return IAsyncEnumerable<T>", "Remove Prefetch")]
    public void Weave_InvalidShape_ReportsCodedErrorAtSourceLine(string code, string method, string reason, string remedy)
    {
        var error = s_result.Errors.SingleOrDefault(e => e.Text.StartsWith($"{code}: Could not weave '{method}' because", StringComparison.Ordinal));

        Assert.IsNotNull(error, $"No {code} for {method}. Errors were:\n{string.Join("\n", s_result.Errors.Select(e => e.Text))}");
        StringAssert.Contains(error.Text, reason);
        StringAssert.Contains(error.Text, remedy);
        Assert.IsNotNull(error.SequencePoint, "The error must carry its source location.");
        StringAssert.EndsWith(error.SequencePoint.Document.Url, "InvalidRoutines.cs");
        string line = s_sourceLines[error.SequencePoint.StartLine - 1];
        StringAssert.Contains(line, $"// ", $"Line {error.SequencePoint.StartLine} is not a marked line: '{line}'.");
        StringAssert.Contains(line, code, $"Line {error.SequencePoint.StartLine} is marked for other codes: '{line}'.");
        string methodName = method[(method.LastIndexOf('.') + 1)..];
        Assert.AreEqual(line.IndexOf(methodName + "(", StringComparison.Ordinal) + 1, error.SequencePoint.StartColumn, $"The error must point at the method's name in '{line}'.");
    }

    [TestMethod]
    public void Weave_AbstractMethod_ReportsWool006AtItsDeclaration()
    {
        var error = s_result.Errors.SingleOrDefault(e => e.Text.StartsWith("WOOL006: Could not weave 'InvalidRoutines.Abstract' because it has no body", StringComparison.Ordinal));

        Assert.IsNotNull(error);
        StringAssert.Contains(error.Text, "Mark the implementing methods [Routine] instead.");
        Assert.IsNotNull(error.SequencePoint, "A method without a body has no lines in the PDB; the weaver must still find its declaration.");
        StringAssert.Contains(s_sourceLines[error.SequencePoint.StartLine - 1], "// WOOL006");
    }

    [TestMethod]
    public void Weave_InterfaceMember_ReportsWool006AtItsDeclaration()
    {
        var error = s_result.Errors.SingleOrDefault(e => e.Text.StartsWith("WOOL006: Could not weave 'IInvalidService.Compute' because it has no body", StringComparison.Ordinal));

        Assert.IsNotNull(error);
        Assert.IsNotNull(error.SequencePoint, "An interface without a single body has no lines in the PDB; the weaver must still find the declaration.");
        string line = s_sourceLines[error.SequencePoint.StartLine - 1];
        StringAssert.Contains(line, "// WOOL006");
        Assert.AreEqual(line.IndexOf("Compute(", StringComparison.Ordinal) + 1, error.SequencePoint.StartColumn);
    }

    [TestMethod]
    public async Task Analyzer_OnTheSameSource_ReportsWhatTheWeaverReportsWithTheSameWords()
    {
        var diagnostics = await Analyzers.AnalyzerHarness.AnalyzeAsync(string.Join("\n", s_sourceLines),
            new global::Wool.Analyzers.RoutineShapeAnalyzer(), new global::Wool.Analyzers.OverrideAnalyzer());

        // The weaver names types as IL does ('System.Int32'), the analyzer as C# does ('int'); the rest is one text.
        static string Words(string message) => System.Text.RegularExpressions.Regex.Replace(message, "'[^']*(Int32|Span|int)[^']*'", "'T'");
        CollectionAssert.AreEquivalent(
            s_result.Errors.Select(e => Words(e.Text)).ToList(),
            diagnostics.Where(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error).Select(d => Words($"{d.Id}: {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}")).ToList());
        var overrideWarning = diagnostics.Single(d => d.Id == "WOOL012");
        StringAssert.Contains(s_sourceLines[overrideWarning.Location.GetLineSpan().StartLinePosition.Line], "public override async Task<int> Compute");
    }

    [TestMethod]
    public void Weave_InvalidFixture_ReportsEveryProblemInOneRun()
    {
        // 13 marked methods; three non-async ones with bad parameters report two problems each.
        Assert.HasCount(16, s_result.Errors, string.Join("\n", s_result.Errors.Select(e => e.Text)));
    }

    [TestMethod]
    public void Weave_InvalidFixture_LeavesUnmarkedMethodsAlone()
    {
        Assert.IsFalse(s_result.Errors.Any(e => e.Text.Contains("Valid", StringComparison.Ordinal)));
    }
}
