using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Wool.Serialization.Types;

/// <summary>
/// A per-type cache that never keeps a collectible type alive: a shipped build's types (and
/// generic types over them) are kept in a weak table that lives as long as each type, so that a build
/// whose load context is unloaded can be collected. Other types, the common case, are kept in a
/// concurrent dictionary. Thread-safe.
/// </summary>
/// <typeparam name="TValue">What is cached per type.</typeparam>
internal sealed class TypeCache<TValue>
{
    private readonly ConcurrentDictionary<Type, TValue> _types = new();
    private readonly ConditionalWeakTable<Type, StrongBox<TValue>> _collectible = new();

    public TValue GetOrAdd(Type type, Func<Type, TValue> create)
    {
        if (!type.IsCollectible)
        {
            return _types.TryGetValue(type, out TValue? value) ? value : _types.GetOrAdd(type, create);
        }

        return _collectible.GetValue(type, t => new StrongBox<TValue>(create(t))).Value!;
    }

    public bool ContainsKey(Type type) => type.IsCollectible ? _collectible.TryGetValue(type, out _) : _types.ContainsKey(type);

    public void TryAdd(Type type, TValue value)
    {
        if (type.IsCollectible)
        {
            _collectible.TryAdd(type, new StrongBox<TValue>(value));
        }
        else
        {
            _types.TryAdd(type, value);
        }
    }
}
