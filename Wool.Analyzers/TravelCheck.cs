using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
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
        private readonly ConcurrentDictionary<ITypeSymbol, Refusal> _byType = new ConcurrentDictionary<ITypeSymbol, Refusal>(SymbolEqualityComparer.IncludeNullability);

        /// <summary>Why a value of <paramref name="type"/> cannot travel, or null.</summary>
        /// <param name="type">The static type of the value.</param>
        /// <param name="asStreamParameter">The value is passed as a routine's IAsyncEnumerable parameter, which streams.</param>
        public Refusal Find(ITypeSymbol type, bool asStreamParameter = false)
        {
            if (type == null || (asStreamParameter && ProcessBoundSymbols.IsAsyncStream(type)))
            {
                return null;
            }

            return Walk(type, new HashSet<ITypeSymbol>(SymbolEqualityComparer.IncludeNullability));
        }

        private Refusal Walk(ITypeSymbol type, HashSet<ITypeSymbol> visiting)
        {
            if (type == null || type.TypeKind == TypeKind.TypeParameter || type.TypeKind == TypeKind.Error || type.SpecialType != SpecialType.None)
            {
                return null;
            }

            if (_byType.TryGetValue(type, out var known))
            {
                return known;
            }

            // A type that reaches itself (a linked node) is not refused for that: the runtime keeps cycles.
            // A generic type can reach ever new types (Node<T> holding a Node<List<T>>): the walk stops at a depth
            // no hand-written model reaches, so the compiler never runs away.
            if (visiting.Count >= MaxDepth || !visiting.Add(type))
            {
                return null;
            }

            var found = Compute(type, visiting);
            visiting.Remove(type);
            if (visiting.Count == 0)
            {
                // Only a whole walk is cached: one cut short by a cycle may have missed what lies beyond it.
                _byType.TryAdd(type, found);
            }

            return found;
        }

        private Refusal Compute(ITypeSymbol type, HashSet<ITypeSymbol> visiting)
        {
            if (ProcessBoundSymbols.Find(type) is ProcessBoundKind kind)
            {
                return new Refusal(type, kind, ImmutableArray<IFieldSymbol>.Empty);
            }

            if (type is IArrayTypeSymbol array)
            {
                return Walk(array.ElementType, visiting);
            }

            if (!(type is INamedTypeSymbol named) || type.TypeKind == TypeKind.Enum)
            {
                return null;
            }

            if (ProcessBoundSymbols.IsFramework(named))
            {
                // Collections, tuples, nullables: what they hold travels; their internals are the framework's.
                return named.TypeArguments.Select(t => Walk(t, visiting)).FirstOrDefault(r => r != null);
            }

            if (HasContract(named))
            {
                return null;
            }

            for (var level = named; level != null && !ProcessBoundSymbols.IsFramework(level); level = level.BaseType)
            {
                foreach (var field in level.GetMembers().OfType<IFieldSymbol>())
                {
                    if (field.IsStatic || field.IsConst || StaysHome(field))
                    {
                        continue;
                    }

                    var inner = Walk(field.Type, visiting);
                    if (inner != null)
                    {
                        return inner.Through(field);
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

        private static bool Marked(ISymbol symbol, string attribute)
            => symbol.GetAttributes().Any(a => a.AttributeClass != null && ProcessBoundSymbols.FullName(a.AttributeClass) == attribute);
    }
}
