using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;

namespace Wool.Serialization;

/// <summary>
/// The root of Wool's resolver chain. It asks MessagePack's typeless contractless standard
/// resolver (private members allowed) for each type and adds what Wool's rules need:
/// <list type="bullet">
/// <item>process-bound types (<see cref="UnsupportedTypes"/>) are refused with a reason;</item>
/// <item>exceptions keep their type and state (<see cref="ExceptionFormatter{T}"/>);</item>
/// <item>a derived object in a base-class-typed slot keeps its runtime type (<see cref="PolymorphicFormatter{T}"/>);</item>
/// <item>every reference type is depth-guarded, so a cycle is an error, not a stack overflow.</item>
/// </list>
/// Because typeless formatting resolves runtime types through <c>options.Resolver</c>, these
/// rules hold at every depth of the graph, not just at the top.
/// </summary>
internal sealed class WoolResolver : IFormatterResolver
{
    public static readonly WoolResolver Instance = new();

    private WoolResolver()
    {
    }

    public IMessagePackFormatter<T>? GetFormatter<T>() => Cache<T>.Formatter;

    private static class Cache<T>
    {
        public static readonly IMessagePackFormatter<T>? Formatter = Create();

        private static IMessagePackFormatter<T>? Create()
        {
            Type type = typeof(T);
            if (UnsupportedTypes.ReasonFor(type) is { } reason)
            {
                return new UnsupportedTypeFormatter<T>(reason);
            }

            if (typeof(Exception).IsAssignableFrom(type))
            {
                return (IMessagePackFormatter<T>)Activator.CreateInstance(typeof(ExceptionFormatter<>).MakeGenericType(type))!;
            }

            IMessagePackFormatter<T>? inner = TypelessContractlessStandardResolver.Instance.GetFormatter<T>();
            if (type.IsValueType || type == typeof(string) || type == typeof(object) || type == typeof(byte[]))
            {
                // Value types cannot form cycles; object is already typeless (and guarded once
                // its runtime type is resolved).
                return inner;
            }

            if (!type.IsSealed && !type.IsInterface && !type.IsArray)
            {
                inner = (IMessagePackFormatter<T>)Activator.CreateInstance(typeof(PolymorphicFormatter<>).MakeGenericType(type), inner)!;
            }

            return inner is null ? null : new DepthGuardFormatter<T>(inner);
        }
    }
}
