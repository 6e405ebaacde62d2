using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;
using Wool.Serialization.Formats;
using Wool.Serialization.Graph;
using Wool.Serialization.Objects;
using Wool.Serialization.Types;

namespace Wool.Serialization;

/// <summary>
/// The root of Wool's resolver chain; for each type, in order:
/// <list type="number">
/// <item>process-bound types (<see cref="ProcessBoundTypes"/>) are refused with what to pass instead;</item>
/// <item>exceptions keep their type and state (<see cref="ExceptionFormatter{T}"/>);</item>
/// <item><c>object</c> slots carry the runtime type (<see cref="ObjectSlotFormatter"/>);</item>
/// <item>Wool's formats for framework types MessagePack lacks or changes (<see cref="WoolFormats"/>);</item>
/// <item>MessagePack's standard formatters: primitives, built-in types, enums, collections, tuples,
/// and types with a contract of their own (<c>[MessagePackObject]</c>, <c>[DataContract]</c>,
/// <c>[MessagePackFormatter]</c>, unions);</item>
/// <item>any other class or struct is copied field by field (<see cref="FieldwiseFormatter{T}"/>).</item>
/// </list>
/// Every reference type but <see cref="string"/> is then tracked by the message's
/// <see cref="ObjectGraph"/> (<see cref="GraphFormatter{T}"/>: shared references and cycles kept,
/// deep chains deferred), and a non-sealed class or an interface keeps the runtime type of a derived
/// value (<see cref="PolymorphicFormatter{T}"/>). Typeless formatting resolves runtime types through
/// <c>options.Resolver</c>, so these rules hold at every depth of the graph. Thread-safe.
/// </summary>
internal sealed class WoolResolver : IFormatterResolver
{
    public static readonly WoolResolver Instance = new();

    // MessagePack's TypelessContractlessStandardResolver, without its contractless object resolver
    // (public members through a matching constructor: the copying rule Wool replaces) and without
    // its fixed-width integers, which only object slots need (ObjectSlotFormatter writes those).
    private static readonly IFormatterResolver[] Standard =
    [
        NativeDateTimeResolver.Instance,
        BuiltinResolver.Instance,
        AttributeFormatterResolver.Instance,
        DynamicEnumResolver.Instance,
        DynamicGenericResolver.Instance,
        DynamicUnionResolver.Instance,
        DynamicObjectResolver.Instance,
    ];

    // For a shipped build's types (collectible) without a MessagePack contract: MessagePack's emitting
    // resolvers keep a dynamic assembly per load context they are asked about, forever, which would keep
    // the build from ever being collected; they have nothing to offer such a type anyway.
    private static readonly IFormatterResolver[] StandardWithoutEmit =
    [
        NativeDateTimeResolver.Instance,
        BuiltinResolver.Instance,
        AttributeFormatterResolver.Instance,
        DynamicGenericResolver.Instance,
    ];

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
            if (ProcessBoundTypes.Find(type) is { } bound)
            {
                return new RefusedFormatter<T>(t => ValueRefusedException.Bound(t, bound));
            }

            if (typeof(Exception).IsAssignableFrom(type))
            {
                return (IMessagePackFormatter<T>)Activator.CreateInstance(typeof(ExceptionFormatter<>).MakeGenericType(type))!;
            }

            if (type == typeof(object))
            {
                return (IMessagePackFormatter<T>)(object)ObjectSlotFormatter.Instance;
            }

            IMessagePackFormatter<T>? inner = WoolFormats.GetFormatter<T>();
            if (inner is null && type.IsEnum)
            {
                // MessagePack's enum resolver emits a formatter type that cannot implement the interface for
                // an enum it cannot see (internal, or nested in a private class: an application's everyday
                // enum). The generic formatter writes the same integer without emitting anything.
                inner = (IMessagePackFormatter<T>)Activator.CreateInstance(typeof(GenericEnumFormatter<>).MakeGenericType(type))!;
            }
            else if (inner is null && Nullable.GetUnderlyingType(type) is { IsEnum: true } underlying)
            {
                // The enum resolver also answers for a nullable enum, by emitting; this one asks back for the enum.
                inner = (IMessagePackFormatter<T>)Activator.CreateInstance(typeof(NullableFormatter<>).MakeGenericType(underlying))!;
            }

            IFormatterResolver[] chain = type.IsCollectible && !HasContract(type) ? StandardWithoutEmit : Standard;
            if (inner is null && chain.Select(static r => r.GetFormatter<T>()).FirstOrDefault(static f => f is not null) is { } standard)
            {
                // MessagePack writes an application's List<T> or Dictionary subclass element by element.
                inner = FieldLayout.FieldsBeyondCollection(type) is { } refusal ? new RefusedFormatter<T>(_ => refusal.Copy()) : standard;
            }

            if (inner is null && !type.IsInterface && !type.IsAbstract && !type.ContainsGenericParameters && !type.IsByRefLike)
            {
                inner = new FieldwiseFormatter<T>();
            }

            if (type.IsValueType || type == typeof(string))
            {
                return inner;
            }

            IMessagePackFormatter<T>? tracked = inner is null ? null : Wrap(typeof(GraphFormatter<>), inner);
            // An interface-typed slot (IEnumerable<T>, IReadOnlyList<T>) writes its value typeless too: a
            // List<T> arrives as a List<T>, not as whatever MessagePack's interface formatter reads back.
            return (!type.IsSealed && !type.IsArray)
                ? Wrap(typeof(PolymorphicFormatter<>), tracked)
                : tracked;
        }

        private static bool HasContract(Type type)
            => type.IsDefined(typeof(MessagePackObjectAttribute), inherit: false) || type.IsDefined(typeof(UnionAttribute), inherit: false)
               || type.IsDefined(typeof(System.Runtime.Serialization.DataContractAttribute), inherit: false);

        private static IMessagePackFormatter<T> Wrap(Type wrapper, IMessagePackFormatter<T>? inner)
            => (IMessagePackFormatter<T>)Activator.CreateInstance(wrapper.MakeGenericType(typeof(T)), inner)!;
    }
}
