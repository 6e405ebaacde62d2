using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace Wool.Tests.Analyzers;

/// <summary>
/// Compiles a snippet against this process's own assemblies (the runtime, Wool, MessagePack,
/// logging) and runs analyzers and code fixes on it, in memory. Expected diagnostics are written
/// in the snippet as <c>{|WOOL013:text|}</c> (or <c>{|WOOL001,WOOL008:text|}</c>): the codes and the exact span they must cover.
/// </summary>
internal static partial class AnalyzerHarness
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
        [.. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(path => !Path.GetFileName(path).StartsWith("Wool.Tests", StringComparison.Ordinal))
            .Select(path => MetadataReference.CreateFromFile(path))]);

    [GeneratedRegex(@"\{\|(?<code>WOOL\d{3}(,WOOL\d{3})*):(?<text>.*?)\|\}", RegexOptions.Singleline)]
    private static partial Regex Marker();

    /// <summary>The snippet without its markers, and the diagnostics they expect.</summary>
    public static (string Source, List<(string Code, TextSpan Span)> Expected) Parse(string markedSource)
    {
        var expected = new List<(string, TextSpan)>();
        var source = new System.Text.StringBuilder();
        int last = 0;
        foreach (Match match in Marker().Matches(markedSource))
        {
            source.Append(markedSource, last, match.Index - last);
            foreach (string code in match.Groups["code"].Value.Split(','))
            {
                expected.Add((code, new TextSpan(source.Length, match.Groups["text"].Length)));
            }

            source.Append(match.Groups["text"].Value);
            last = match.Index + match.Length;
        }

        source.Append(markedSource, last, markedSource.Length - last);
        return (source.ToString(), expected);
    }

    /// <summary>What a project with implicit usings and a reference to Wool sees, in a file of its own.</summary>
    private const string Usings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Threading;
        global using System.Threading.Tasks;
        global using Wool;
        """;

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static readonly CSharpCompilationOptions CompilationOptions =
        new(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true, nullableContextOptions: NullableContextOptions.Enable);

    public static CSharpCompilation Compile(string source)
    {
        var compilation = CSharpCompilation.Create(
            "Snippet",
            [CSharpSyntaxTree.ParseText(source, ParseOptions, path: "Snippet.cs"), CSharpSyntaxTree.ParseText(Usings, ParseOptions, path: "Usings.cs")],
            References.Value,
            CompilationOptions);
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        Assert.IsEmpty(errors, "The snippet must compile:\n" + string.Join("\n", errors));
        return compilation;
    }

    public static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(string source, params DiagnosticAnalyzer[] analyzers)
    {
        var compilation = Compile(source);
        using var timeout = new CancellationTokenSource(Timeouts.Default);
        var diagnostics = await compilation.WithAnalyzers([.. analyzers]).GetAnalyzerDiagnosticsAsync(timeout.Token);
        return [.. diagnostics.OrderBy(d => d.Location.SourceSpan.Start)];
    }

    /// <summary>Runs the analyzers on the marked snippet and asserts exactly the marked diagnostics, at exactly their spans.</summary>
    public static async Task<ImmutableArray<Diagnostic>> VerifyAsync(string markedSource, params DiagnosticAnalyzer[] analyzers)
    {
        var (source, expected) = Parse(markedSource);
        var actual = await AnalyzeAsync(source, analyzers);

        string Describe(string code, TextSpan span) => $"{code} at '{source.Substring(span.Start, span.Length)}' ({span})";
        CollectionAssert.AreEquivalent(
            expected.Select(e => Describe(e.Code, e.Span)).ToList(),
            actual.Select(d => Describe(d.Id, d.Location.SourceSpan)).ToList(),
            "Diagnostics were:\n" + string.Join("\n", actual.Select(d => $"{Describe(d.Id, d.Location.SourceSpan)}: {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}")));
        return actual;
    }

    /// <summary>Applies the code fix titled <paramref name="title"/> to the single diagnostic of <paramref name="source"/> and returns the new text.</summary>
    public static async Task<string> FixAsync(string source, DiagnosticAnalyzer analyzer, CodeFixProvider fix, string title)
    {
        using var timeout = new CancellationTokenSource(Timeouts.Default);
        using var workspace = new AdhocWorkspace();
        var project = workspace.AddProject(ProjectInfo.Create(
            ProjectId.CreateNewId(), VersionStamp.Default, "Snippet", "Snippet", LanguageNames.CSharp,
            compilationOptions: CompilationOptions,
            parseOptions: ParseOptions,
            metadataReferences: References.Value));
        workspace.AddDocument(project.Id, "Usings.cs", SourceText.From(Usings));
        var document = workspace.AddDocument(workspace.CurrentSolution.GetProject(project.Id)!.Id, "Snippet.cs", SourceText.From(source));

        var compilation = (await document.Project.GetCompilationAsync(timeout.Token))!;
        var diagnostic = (await compilation.WithAnalyzers([analyzer]).GetAnalyzerDiagnosticsAsync(timeout.Token)).Single(d => fix.FixableDiagnosticIds.Contains(d.Id));
        var actions = new List<CodeAction>();
        await fix.RegisterCodeFixesAsync(new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), timeout.Token));
        var chosen = actions.SingleOrDefault(a => a.Title == title);
        Assert.IsNotNull(chosen, $"No fix titled '{title}'; offered: {string.Join(", ", actions.Select(a => a.Title))}.");

        var operations = await chosen.GetOperationsAsync(timeout.Token);
        var changed = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution.GetDocument(document.Id)!;
        return (await changed.GetTextAsync(timeout.Token)).ToString();
    }
}
