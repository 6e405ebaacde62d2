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
    /// signature is found in the source file, searching back from there for the method's name.
    /// </summary>
    internal static class SourceLocation
    {
        // How far above the first line of code a signature may start (attributes, long parameter lists).
        private const int SignatureLines = 40;

        public static SequencePoint Of(MethodDefinition method)
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

        /// <summary>The method's name on or above the first line of its code (the brace of a block, or the expression of '=>').</summary>
        private static SequencePoint Signature(SequencePoint code, string name)
        {
            var lines = Lines(code.Document.Url);
            if (lines == null || code.StartLine > lines.Count)
            {
                return null;
            }

            var pattern = NamePattern(name);
            for (int line = code.StartLine; line >= Math.Max(1, code.StartLine - SignatureLines); line--)
            {
                string text = lines[line - 1];
                if (line == code.StartLine)
                {
                    text = text.Substring(0, Math.Min(text.Length, Math.Max(0, code.StartColumn - 1)));
                }

                var match = pattern.Match(text);
                if (match.Success)
                {
                    return At(code.Document, line, match.Index, name.Length);
                }
            }

            return null;
        }

        /// <summary>
        /// A method without a body has no lines in the PDB: its declaration is looked for in the
        /// files of its type's other methods, preferring a line that says abstract or extern.
        /// </summary>
        private static SequencePoint Declaration(MethodDefinition method, string name)
        {
            var pattern = new Regex(@"\b" + Regex.Escape(name) + @"\s*[<(][^{}=]*;");
            foreach (var document in Documents(method.DeclaringType))
            {
                var lines = Lines(document.Url);
                if (lines == null)
                {
                    continue;
                }

                var found = Enumerable.Range(0, lines.Count)
                    .Select(i => (Line: i + 1, Match: pattern.Match(lines[i]), Text: lines[i]))
                    .Where(candidate => candidate.Match.Success)
                    .OrderBy(candidate => candidate.Text.Contains("abstract") || candidate.Text.Contains("extern") ? 0 : 1)
                    .FirstOrDefault();
                if (found.Match != null)
                {
                    return At(document, found.Line, found.Match.Index, name.Length);
                }
            }

            return null;
        }

        private static IEnumerable<Document> Documents(TypeDefinition type)
            => type.Methods
                .SelectMany(m => new[] { m, StateMachineMoveNext(m) })
                .Where(m => m != null && m.DebugInformation.HasSequencePoints)
                .Select(m => m.DebugInformation.SequencePoints[0].Document)
                .GroupBy(d => d.Url)
                .Select(g => g.First());

        private static Regex NamePattern(string name) => new Regex(@"(?<![\w.])" + Regex.Escape(name) + @"\s*[<(]");

        private static SequencePoint At(Document document, int line, int index, int length)
            => new SequencePoint(Instruction.Create(OpCodes.Nop), document)
            {
                StartLine = line,
                EndLine = line,
                StartColumn = index + 1,
                EndColumn = index + 1 + length,
            };

        private static IReadOnlyList<string> Lines(string path)
        {
            try
            {
                return File.ReadAllLines(path);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is ArgumentException || e is NotSupportedException)
            {
                return null;
            }
        }

        private static MethodDefinition StateMachineMoveNext(MethodDefinition method)
            => StateMachineType(method)?.Methods.FirstOrDefault(m => m.Name == "MoveNext");

        private static SequencePoint FirstVisible(MethodDefinition method)
            => method != null && method.DebugInformation.HasSequencePoints
                ? method.DebugInformation.SequencePoints.FirstOrDefault(p => !p.IsHidden)
                : null;
    }
}
