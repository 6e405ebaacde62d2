using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Wool.Fody
{
    /// <summary>
    /// Finds where a diagnostic about a method belongs: its name in the signature, as the analyzer
    /// reports it. The PDB knows only where code starts (an async method's code, and its lines,
    /// live in the state machine's MoveNext, found through the state machine attribute), so the
    /// signature is found in the source file, searching back from there for the method's name,
    /// never past the end of the code before it. One instance per weaving run: files are read
    /// once, bounded in size, and split into lines as the compiler counts them.
    /// </summary>
    internal sealed class SourceLocation
    {
        // How far above the first line of code a signature may start (attributes, long parameter lists).
        private const int SignatureLines = 40;
        private const int MaxFileChars = 8 * 1024 * 1024;
        private const int MaxLineChars = 4096;
        private static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(250);

        // The compiler's line breaks: a line number means the same thing to it and to us.
        private static readonly Regex LineBreaks = new Regex("\r\n|[\n\r\u0085\u2028\u2029]", RegexOptions.None, MatchTimeout);

        private readonly ModuleDefinition _module;
        private readonly Dictionary<string, IReadOnlyList<string>> _files = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        private Dictionary<string, List<int>> _codeEnds;

        public SourceLocation(ModuleDefinition module) => _module = module;

        public SequencePoint Of(MethodDefinition method)
        {
            string name = RoutineNames.SourceName(method);
            var code = FirstVisible(method) ?? FirstVisible(StateMachineMoveNext(method));
            if (code == null)
            {
                return name == null ? null : Declaration(method, name);
            }

            return name == null ? code : Signature(code, name) ?? code;
        }

        public static TypeDefinition StateMachineType(MethodDefinition method)
        {
            var attribute = method.CustomAttributes.FirstOrDefault(a =>
                a.AttributeType.FullName == "System.Runtime.CompilerServices.AsyncStateMachineAttribute" ||
                a.AttributeType.FullName == "System.Runtime.CompilerServices.AsyncIteratorStateMachineAttribute");
            return (attribute?.ConstructorArguments[0].Value as TypeReference)?.Resolve();
        }

        /// <summary>The method's name on or above the first line of its code (the brace of a block, the first statement, or the expression of '=>').</summary>
        private SequencePoint Signature(SequencePoint code, string name)
        {
            var lines = Lines(code.Document.Url);
            if (lines == null || code.StartLine > lines.Count)
            {
                return null;
            }

            var pattern = new Regex(@"(?<![\w.])" + Regex.Escape(name) + @"\s*[<(]", RegexOptions.None, MatchTimeout);
            int first = Math.Max(Math.Max(1, code.StartLine - SignatureLines), PreviousCodeEnd(code) + 1);
            for (int line = code.StartLine; line >= first; line--)
            {
                string text = WithoutComment(lines[line - 1]);
                if (line == code.StartLine)
                {
                    text = text.Substring(0, Math.Min(text.Length, Math.Max(0, code.StartColumn - 1)));
                }

                var match = Match(pattern, text);
                if (match != null)
                {
                    return At(code.Document, line, match.Index, name.Length);
                }
            }

            return null;
        }

        /// <summary>
        /// A method without a body has no lines in the PDB: its declaration is looked for in the
        /// files of its type's other methods (or, for an interface without any, of the module), as
        /// a line that names its return type, then the method, and ends with ';', preferring one
        /// that says abstract or extern.
        /// </summary>
        private SequencePoint Declaration(MethodDefinition method, string name)
        {
            string returnType = method.ReturnType.Name.Split('`')[0];
            var pattern = new Regex(@"\b" + Regex.Escape(returnType) + @"\b[^;{}=]*?(?<![\w.])(?<name>" + Regex.Escape(name) + @")\s*[<(][^{}=]*;", RegexOptions.None, MatchTimeout);
            var documents = Documents(new[] { method.DeclaringType });
            if (documents.Count == 0)
            {
                documents = Documents(_module.GetTypes());
            }

            foreach (var document in documents)
            {
                var lines = Lines(document.Url);
                if (lines == null)
                {
                    continue;
                }

                var found = Enumerable.Range(0, lines.Count)
                    .Select(i => (Line: i + 1, Match: Match(pattern, WithoutComment(lines[i])), Text: lines[i]))
                    .Where(candidate => candidate.Match != null)
                    .OrderBy(candidate => candidate.Text.Contains("abstract") || candidate.Text.Contains("extern") ? 0 : 1)
                    .FirstOrDefault();
                if (found.Match != null)
                {
                    return At(document, found.Line, found.Match.Groups["name"].Index, name.Length);
                }
            }

            return null;
        }

        /// <summary>The last line of code, before <paramref name="code"/>, of any method in its file (0 when none): a signature starts after it.</summary>
        private int PreviousCodeEnd(SequencePoint code)
        {
            if (_codeEnds == null)
            {
                _codeEnds = _module.GetTypes()
                    .SelectMany(type => type.Methods)
                    .Where(m => m.DebugInformation.HasSequencePoints)
                    .SelectMany(m => m.DebugInformation.SequencePoints.Where(p => !p.IsHidden))
                    .GroupBy(p => p.Document.Url, StringComparer.Ordinal)
                    .ToDictionary(g => g.Key, g => g.Select(p => p.EndLine).Distinct().OrderBy(l => l).ToList(), StringComparer.Ordinal);
            }

            return _codeEnds.TryGetValue(code.Document.Url, out var ends) ? ends.LastOrDefault(end => end < code.StartLine) : 0;
        }

        private static List<Document> Documents(IEnumerable<TypeDefinition> types)
            => types
                .SelectMany(type => type.Methods)
                .SelectMany(m => new[] { m, StateMachineMoveNext(m) })
                .Where(m => m != null && m.DebugInformation.HasSequencePoints)
                .Select(m => m.DebugInformation.SequencePoints[0].Document)
                .GroupBy(d => d.Url)
                .Select(g => g.First())
                .ToList();

        private static System.Text.RegularExpressions.Match Match(Regex pattern, string text)
        {
            if (text.Length > MaxLineChars)
            {
                return null; // Generated or minified: not where a person looks for a signature.
            }

            try
            {
                var match = pattern.Match(text);
                return match.Success ? match : null;
            }
            catch (RegexMatchTimeoutException)
            {
                return null;
            }
        }

        // Naive about '//' inside strings: the cost is a missed location, never a wrong one.
        private static string WithoutComment(string line)
        {
            int comment = line.IndexOf("//", StringComparison.Ordinal);
            return comment < 0 ? line : line.Substring(0, comment);
        }

        private static SequencePoint At(Document document, int line, int index, int length)
            => new SequencePoint(Instruction.Create(OpCodes.Nop), document)
            {
                StartLine = line,
                EndLine = line,
                StartColumn = index + 1,
                EndColumn = index + 1 + length,
            };

        /// <summary>The file's lines, or null when it cannot be read or is not a source file of a sane size (a '#line' may name anything).</summary>
        private IReadOnlyList<string> Lines(string path)
        {
            if (_files.TryGetValue(path, out var known))
            {
                return known;
            }

            IReadOnlyList<string> lines = null;
            try
            {
                var file = new FileInfo(path);
                if (file.Exists && file.Length > 0 && file.Length <= MaxFileChars)
                {
                    using (var reader = new StreamReader(path))
                    {
                        var buffer = new char[MaxFileChars + 1];
                        int read = reader.ReadBlock(buffer, 0, buffer.Length);
                        if (read <= MaxFileChars)
                        {
                            lines = LineBreaks.Split(new string(buffer, 0, read));
                        }
                    }
                }
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is ArgumentException || e is NotSupportedException || e is RegexMatchTimeoutException)
            {
                lines = null;
            }

            _files[path] = lines;
            return lines;
        }

        private static MethodDefinition StateMachineMoveNext(MethodDefinition method)
            => StateMachineType(method)?.Methods.FirstOrDefault(m => m.Name == "MoveNext");

        private static SequencePoint FirstVisible(MethodDefinition method)
            => method != null && method.DebugInformation.HasSequencePoints
                ? method.DebugInformation.SequencePoints.FirstOrDefault(p => !p.IsHidden)
                : null;
    }
}
