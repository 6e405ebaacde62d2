using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Wool.Serialization.Types;

namespace Wool.Analyzers
{
    /// <summary>
    /// Whether a value of a static type can be copied to a worker, following what the runtime
    /// copies: the type itself, the elements of arrays and framework collections, and the instance
    /// fields of application types (at every level), except fields that stay home
    /// (<c>[NonSerialized]</c>, <c>[field: NonSerialized]</c>, <c>[IgnoreMember]</c>) and types with
    /// a serialization contract of their own. Results are cached per type; thread-safe.
    /// </summary>
    internal sealed class TravelCheck
    {
        private const int MaxDepth = 32;
        private const int MaxTypes = 4096;
        private readonly ConcurrentDictionary<ITypeSymbol, Refusal> _byType = new ConcurrentDictionary<ITypeSymbol, Refusal>(SymbolEqualityComparer.IncludeNullability);

        /// <summary>Why a value of <paramref name="type"/> cannot travel, or null.</summary>
        /// <param name="type">The static type of the value.</param>
        /// <param name="cancellation">The analysis's cancellation (the IDE cancels on every edit).</param>
        /// <param name="asStreamParameter">The value is passed as a routine's IAsyncEnumerable parameter, which streams.</param>
        public Refusal Find(ITypeSymbol type, CancellationToken cancellation, bool asStreamParameter = false)
        {
            if (type == null)
            {
                return null;
            }

            if (asStreamParameter && ProcessBoundSymbols.AsyncStreamItem(type) is ITypeSymbol item)
            {
                // The routine pulls the stream's items from the caller: each item travels.
                type = item;
            }

            if (_byType.TryGetValue(type, out var known))
            {
                return known;
            }

            // A reachability question: each type is walked once per question (a type reached again,
            // through a cycle or another path, adds nothing), so a large model costs its size, not its paths.
            var found = Walk(type, new Walk(cancellation), depth: 0);
            _byType.TryAdd(type, found);
            return found;
        }

        private Refusal Walk(ITypeSymbol type, Walk walk, int depth)
        {
            walk.Cancellation.ThrowIfCancellationRequested();
            if (type == null || type.TypeKind == TypeKind.TypeParameter || type.TypeKind == TypeKind.Error)
            {
                return null;
            }

            if (type.SpecialType != SpecialType.None)
            {
                // Primitives, string, object: nothing inside to walk; System.Delegate is the one of them bound to its process.
                return type.SpecialType == SpecialType.System_Delegate || type.SpecialType == SpecialType.System_MulticastDelegate
                    ? new Refusal(type, ProcessBoundKind.Delegate, ImmutableArray<ISymbol>.Empty)
                    : null;
            }

            if (_byType.TryGetValue(type, out var known))
            {
                return known;
            }

            // A generic type can reach ever new types (Node<T> holding a Node<List<T>>): the walk stops at a depth
            // and a number of types no hand-written model reaches, so the compiler never runs away.
            if (depth >= MaxDepth || walk.Visited.Count >= MaxTypes || !walk.Visited.Add(type))
            {
                return null;
            }

            return Compute(type, walk, depth + 1);
        }

        private Refusal Compute(ITypeSymbol type, Walk walk, int depth)
        {
            if (ProcessBoundSymbols.Find(type) is ProcessBoundKind kind)
            {
                return new Refusal(type, kind, ImmutableArray<ISymbol>.Empty);
            }

            if (type is IArrayTypeSymbol array)
            {
                return Walk(array.ElementType, walk, depth);
            }

            if (!(type is INamedTypeSymbol named) || type.TypeKind == TypeKind.Enum)
            {
                return null;
            }

            if (ProcessBoundSymbols.IsFramework(named))
            {
                // Collections, tuples, nullables: what they hold travels; their internals are the framework's.
                return named.TypeArguments.Select(t => Walk(t, walk, depth)).FirstOrDefault(r => r != null);
            }

            if (HasContract(named))
            {
                return null;
            }

            for (var level = named; level != null && !ProcessBoundSymbols.IsFramework(level); level = level.BaseType)
            {
                foreach (var member in level.GetMembers())
                {
                    // A field-like event's backing field is not in the symbol model: the event stands for it.
                    ITypeSymbol memberType = null;
                    if (member is IFieldSymbol field && !field.IsStatic && !field.IsConst && !field.IsFixedSizeBuffer && !StaysHome(field))
                    {
                        memberType = field.Type;
                    }
                    else if (member is IEventSymbol e && !e.IsStatic && IsFieldLike(e) && !EventStaysHome(e))
                    {
                        memberType = e.Type;
                    }

                    if (memberType == null)
                    {
                        continue;
                    }

                    var inner = Walk(memberType, walk, depth);
                    if (inner != null)
                    {
                        return inner.Through(member);
                    }
                }
            }

            return null;
        }

        private static bool HasContract(INamedTypeSymbol type)
            => type.GetAttributes().Any(a => a.AttributeClass != null && (
                ProcessBoundSymbols.FullName(a.AttributeClass) == "MessagePack.MessagePackObjectAttribute"
                || ProcessBoundSymbols.FullName(a.AttributeClass) == "MessagePack.MessagePackFormatterAttribute"
                || ProcessBoundSymbols.FullName(a.AttributeClass) == "System.Runtime.Serialization.DataContractAttribute"));

        private static bool StaysHome(IFieldSymbol field)
            => Marked(field, "System.NonSerializedAttribute") || Marked(field, "MessagePack.IgnoreMemberAttribute")
               || (field.AssociatedSymbol != null && Marked(field.AssociatedSymbol, "MessagePack.IgnoreMemberAttribute"));

        private static bool IsFieldLike(IEventSymbol e)
            => !e.IsAbstract && e.DeclaringSyntaxReferences.Any(r => r.GetSyntax() is Microsoft.CodeAnalysis.CSharp.Syntax.VariableDeclaratorSyntax);

        /// <summary>'[field: NonSerialized]' on a field-like event goes to its hidden backing field; it is read from the declaration.</summary>
        private static bool EventStaysHome(IEventSymbol e)
            => e.DeclaringSyntaxReferences
                .Select(r => r.GetSyntax().FirstAncestorOrSelf<Microsoft.CodeAnalysis.CSharp.Syntax.EventFieldDeclarationSyntax>())
                .Where(d => d != null)
                .SelectMany(d => d.AttributeLists)
                .Where(l => l.Target?.Identifier.Text == "field")
                .SelectMany(l => l.Attributes)
                .Any(a => a.Name.ToString().EndsWith("NonSerialized", System.StringComparison.Ordinal) || a.Name.ToString().EndsWith("NonSerializedAttribute", System.StringComparison.Ordinal));

        private static bool Marked(ISymbol symbol, string attribute)
            => symbol.GetAttributes().Any(a => a.AttributeClass != null && ProcessBoundSymbols.FullName(a.AttributeClass) == attribute);
    }

    /// <summary>One question's walk: the types already seen (never walked twice) and its cancellation.</summary>
    internal sealed class Walk
    {
        public Walk(CancellationToken cancellation) => Cancellation = cancellation;

        public HashSet<ITypeSymbol> Visited { get; } = new HashSet<ITypeSymbol>(SymbolEqualityComparer.IncludeNullability);

        public CancellationToken Cancellation { get; }
    }
}
