using System.Buffers;
using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.Loader;
using System.Text;
using MessagePack;
using MessagePack.Formatters;

namespace Wool.Serialization.Graph;

/// <summary>
/// Values that carry their runtime type: MessagePack's typeless format (extension 100: the
/// assembly-qualified type name, then the value), written and read without MessagePack's
/// <c>TypelessFormatter</c>, whose process-wide caches would break two things Wool needs:
/// a type name is resolved in the load context the reading code runs in
/// (<see cref="AssemblyLoadContext.CurrentContextualReflectionContext"/>), so two builds of one
/// application, loaded side by side, each get their own types for the same name; and nothing here
/// keeps a collectible assembly's types alive. Per-type work (the name's bytes, a typed reader and
/// writer) is done once per type, with delegates rather than compiled expressions. Thread-safe.
/// </summary>
internal static class TypelessValues
{
    private static readonly ConcurrentDictionary<Type, TypeEntry> s_types = new();
    private static readonly ConditionalWeakTable<Type, TypeEntry> s_collectibleTypes = new();
    private static readonly ConcurrentDictionary<string, Type> s_names = new(StringComparer.Ordinal);
    // Dropped when its context unloads: an entry must not outlive the build (a weak table keyed by the
    // context would: the context stays alive until its types die, and this table would hold them).
    private static readonly ConcurrentDictionary<AssemblyLoadContext, ConcurrentDictionary<string, Type>> s_namesByContext = new();

    // Types MessagePack writes without a name, as its typeless format does: they read back as themselves.
    private static readonly HashSet<Type> s_unnamed =
    [
        typeof(bool), typeof(sbyte), typeof(byte), typeof(short), typeof(ushort), typeof(int), typeof(uint), typeof(long), typeof(ulong),
        typeof(float), typeof(double), typeof(string), typeof(byte[]),
        typeof(bool?), typeof(sbyte?), typeof(byte?), typeof(short?), typeof(ushort?), typeof(int?), typeof(uint?), typeof(long?), typeof(ulong?),
        typeof(float?), typeof(double?),
    ];

    [ThreadStatic]
    private static Stack<ArrayBufferWriter<byte>>? t_scratch;

    /// <summary>Writes <paramref name="value"/> with its runtime type, or, when given, as <paramref name="type"/> (a public base of it).</summary>
    public static void Write(ref MessagePackWriter writer, object? value, MessagePackSerializerOptions options, Type? type = null)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        type ??= value.GetType();
        if (s_unnamed.Contains(type))
        {
            DynamicObjectTypeFallbackFormatter.Instance.Serialize(ref writer, value, options);
            return;
        }

        TypeEntry entry = EntryOf(type);
        ArrayBufferWriter<byte> scratch = RentScratch();
        try
        {
            MessagePackWriter inner = writer.Clone(scratch);
            inner.WriteString(entry.Name);
            entry.Write(ref inner, value, options);
            inner.Flush();
            writer.WriteExtensionFormat(new ExtensionResult(ObjectSlotFormatter.TypelessCode, new ReadOnlySequence<byte>(scratch.WrittenMemory)));
        }
        finally
        {
            ReturnScratch(scratch);
        }
    }

    /// <summary>Reads a value written by <see cref="Write"/> (or by MessagePack's typeless format).</summary>
    public static object? Read(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null;
        }

        if (reader.NextMessagePackType != MessagePackType.Extension || reader.CreatePeekReader().ReadExtensionFormatHeader().TypeCode != ObjectSlotFormatter.TypelessCode)
        {
            return DynamicObjectTypeFallbackFormatter.Instance.Deserialize(ref reader, options);
        }

        reader.ReadExtensionFormatHeader();
        Type type = TypeNamed(ref reader, options);
        options.ThrowIfDeserializingTypeIsDisallowed(type);
        return EntryOf(type).Read(ref reader, options);
    }

    /// <summary>The type a message names, as the load context the reading code runs in resolves it.</summary>
    private static Type TypeNamed(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        AssemblyLoadContext? context = AssemblyLoadContext.CurrentContextualReflectionContext;
        ConcurrentDictionary<string, Type> names = context is null || context == AssemblyLoadContext.Default
            ? s_names
            : s_namesByContext.GetOrAdd(context, static c =>
            {
                c.Unloading += static unloading => s_namesByContext.TryRemove(unloading, out _);
                return new ConcurrentDictionary<string, Type>(StringComparer.Ordinal);
            });
        string? name;
        if (reader.TryReadStringSpan(out ReadOnlySpan<byte> utf8) && utf8.Length <= 512)
        {
            // A known name is looked up without allocating a string: stream items of one type repeat it.
            Span<char> chars = stackalloc char[utf8.Length];
            int length = Encoding.UTF8.GetChars(utf8, chars);
            if (names.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(chars[..length], out Type? known))
            {
                return known;
            }

            name = new string(chars[..length]);
        }
        else
        {
            name = utf8.Length > 512 ? Encoding.UTF8.GetString(utf8) : reader.ReadString();
        }

        if (name is null)
        {
            throw new MessagePackSerializationException("A typeless value has no type name.");
        }

        if (names.TryGetValue(name, out Type? type))
        {
            return type;
        }

        // Type.GetType resolves assemblies through the contextual reflection context, when one is set.
        type = options.LoadType(name) ?? Type.GetType(name, throwOnError: true)!;
        // Only allowed types are remembered, and only so many spellings: a peer can write one type's
        // name in endless ways (versions, cultures, made-up attributes), and none must grow this process.
        options.ThrowIfDeserializingTypeIsDisallowed(type);
        return names.Count < MaxNames ? names.GetOrAdd(name, type) : type;
    }

    /// <summary>At most this many type names are remembered per load context; others are resolved on each read.</summary>
    internal const int MaxNames = 4096;

    /// <summary>How many type names the default context remembers (for tests).</summary>
    internal static int NamesRemembered => s_names.Count;

    private static TypeEntry EntryOf(Type type)
    {
        if (!type.IsCollectible)
        {
            return s_types.TryGetValue(type, out TypeEntry? entry) ? entry : s_types.GetOrAdd(type, TypeEntry.Create);
        }

        // A collectible type's entry lives as long as the type, and never keeps it alive.
        return s_collectibleTypes.GetValue(type, TypeEntry.Create);
    }

    private static ArrayBufferWriter<byte> RentScratch()
        => t_scratch is { Count: > 0 } pool ? pool.Pop() : new ArrayBufferWriter<byte>(256);

    private static void ReturnScratch(ArrayBufferWriter<byte> scratch)
    {
        // Large buffers are left to the collector, so that one big value does not stay cached per thread.
        if (scratch.Capacity <= 64 * 1024)
        {
            scratch.ResetWrittenCount();
            (t_scratch ??= new Stack<ArrayBufferWriter<byte>>()).Push(scratch);
        }
    }

    private delegate void ValueWriter(ref MessagePackWriter writer, object value, MessagePackSerializerOptions options);

    private delegate object? ValueReader(ref MessagePackReader reader, MessagePackSerializerOptions options);

    private sealed class TypeEntry(byte[] name, ValueWriter write, ValueReader read)
    {
        public byte[] Name { get; } = name;

        public ValueWriter Write { get; } = write;

        public ValueReader Read { get; } = read;

        public static TypeEntry Create(Type type) => new(
            Encoding.UTF8.GetBytes(type.AssemblyQualifiedName ?? throw new MessagePackSerializationException($"Type '{type}' has no assembly-qualified name.")),
            Method(nameof(WriteValue), type).CreateDelegate<ValueWriter>(),
            Method(nameof(ReadValue), type).CreateDelegate<ValueReader>());

        private static MethodInfo Method(string name, Type type)
            => typeof(TypeEntry).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(type);

        private static void WriteValue<T>(ref MessagePackWriter writer, object value, MessagePackSerializerOptions options)
            => options.Resolver.GetFormatterWithVerify<T>().Serialize(ref writer, (T)value, options);

        private static object? ReadValue<T>(ref MessagePackReader reader, MessagePackSerializerOptions options)
            => options.Resolver.GetFormatterWithVerify<T>().Deserialize(ref reader, options);
    }
}
