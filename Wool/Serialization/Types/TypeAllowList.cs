using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Numerics;

namespace Wool.Serialization.Types;

/// <summary>
/// The types this process rebuilds from a payload, whichever side sent it (calls on a worker;
/// results, stream items and exceptions on a caller). Every type name a payload carries (a
/// typeless value, a member typed <c>object</c>, a derived object in a base-typed slot, a generic
/// routine's type arguments, a streamed argument's items) is checked, and so is each of its generic
/// arguments and array element types, before anything is built. Allowed: the application's own
/// assemblies (the projects of its dependency file), a vetted set of framework types (primitives,
/// strings, enums, common value types, data-only collections and tuples), framework exceptions,
/// Wool's own types, and whatever the <c>--allow-type</c> entries name. Anything else (a package's
/// types, other framework types) must be listed. Immutable; decisions are cached; thread-safe.
/// </summary>
internal sealed class TypeAllowList
{
    private static readonly FrozenSet<Type> Vetted = new[]
    {
        typeof(object), typeof(string), typeof(decimal), typeof(DateTime), typeof(DateTimeOffset), typeof(TimeSpan),
        typeof(DateOnly), typeof(TimeOnly), typeof(Guid), typeof(Half), typeof(Int128), typeof(UInt128), typeof(BigInteger),
        typeof(Uri), typeof(Version), typeof(Nullable<>), typeof(List<>), typeof(Dictionary<,>), typeof(HashSet<>),
        typeof(Queue<>), typeof(Stack<>), typeof(LinkedList<>), typeof(SortedDictionary<,>), typeof(SortedList<,>), typeof(SortedSet<>),
        typeof(System.Collections.Immutable.ImmutableArray<>), typeof(System.Collections.Immutable.ImmutableList<>),
        typeof(System.Collections.Immutable.ImmutableDictionary<,>), typeof(System.Collections.Immutable.ImmutableHashSet<>),
        typeof(System.Collections.Immutable.ImmutableQueue<>), typeof(System.Collections.Immutable.ImmutableStack<>),
        typeof(System.Collections.Immutable.ImmutableSortedSet<>), typeof(System.Collections.Immutable.ImmutableSortedDictionary<,>),
        typeof(FrozenDictionary<,>), typeof(FrozenSet<>), typeof(ConcurrentDictionary<,>),
        typeof(System.Net.IPAddress), typeof(System.Net.IPEndPoint), typeof(System.Text.StringBuilder), typeof(System.Collections.BitArray),
        typeof(Memory<>), typeof(ReadOnlyMemory<>),
        typeof(System.Collections.ObjectModel.Collection<>), typeof(System.Collections.ObjectModel.ReadOnlyCollection<>),
        typeof(System.Collections.ObjectModel.ObservableCollection<>), typeof(System.Collections.ObjectModel.ReadOnlyDictionary<,>),
        typeof(KeyValuePair<,>), typeof(Tuple<>), typeof(Tuple<,>), typeof(Tuple<,,>), typeof(Tuple<,,,>), typeof(Tuple<,,,,>),
        typeof(ValueTuple<>), typeof(ValueTuple<,>), typeof(ValueTuple<,,>), typeof(ValueTuple<,,,>), typeof(ValueTuple<,,,,>), typeof(ValueTuple<,,,,,>),
    }.ToFrozenSet();

    private readonly FrozenSet<string> _assemblies;
    private readonly string[] _namespaces;
    private readonly FrozenSet<string> _types;
    private readonly FrozenSet<string> _entries;
    private readonly TypeCache<bool> _decisions = new();

    private TypeAllowList(IEnumerable<string> entries, IEnumerable<string> applicationAssemblies)
    {
        _entries = entries.ToFrozenSet(StringComparer.Ordinal);
        List<string> assemblies = [.. applicationAssemblies], namespaces = [], types = [];
        foreach (string entry in _entries)
        {
            if (entry.StartsWith("assembly:", StringComparison.Ordinal))
            {
                assemblies.Add(entry["assembly:".Length..]);
            }
            else if (entry.EndsWith(".*", StringComparison.Ordinal))
            {
                namespaces.Add(entry[..^1]);
            }
            else
            {
                types.Add(entry);
            }
        }

        _assemblies = assemblies.ToFrozenSet(StringComparer.Ordinal);
        _namespaces = [.. namespaces];
        _types = types.ToFrozenSet(StringComparer.Ordinal);
        ApplicationAssemblies = [.. applicationAssemblies];
    }

    /// <summary>The default: the application's own assemblies and the vetted framework types.</summary>
    public static TypeAllowList Application { get; } = new([], ApplicationAssemblyNames());

    /// <summary>The application's assemblies this list allows whole (empty for a list parsed alone).</summary>
    public IReadOnlyList<string> ApplicationAssemblies { get; }

    /// <summary>This list, and the types <paramref name="entries"/> name as well.</summary>
    /// <exception cref="ArgumentException">An entry is empty, or allows everything.</exception>
    public TypeAllowList With(IEnumerable<string> entries) => new([.. _entries, .. Checked(entries)], ApplicationAssemblies);

    /// <summary>Whether <paramref name="entry"/> is one of this list's entries already.</summary>
    public bool Has(string entry) => _entries.Contains(entry.Trim());

    /// <summary>
    /// Reads allow-list entries alone (without the application's assemblies):
    /// <c>assembly:MyApp.Contracts</c> (every type of an assembly, its closures included),
    /// <c>MyApp.Contracts.*</c> (a namespace and those under it) or <c>MyApp.Contracts.Order</c>
    /// (one type, by full name).
    /// </summary>
    /// <exception cref="ArgumentException">An entry is empty, or allows everything.</exception>
    public static TypeAllowList Parse(IEnumerable<string> entries) => new(Checked(entries), []);

    private static List<string> Checked(IEnumerable<string> entries)
    {
        List<string> checkedEntries = [];
        foreach (string entry in entries)
        {
            string value = entry.Trim();
            if (value is "" or "*" or ".*" or "assembly:")
            {
                throw new ArgumentException($"The type allow-list entry '{entry}' allows nothing or everything. Give 'assembly:<name>', '<namespace>.*' or a full type name.");
            }

            checkedEntries.Add(value);
        }

        return checkedEntries;
    }

    /// <summary>
    /// The application's own assemblies: the projects (not packages) of its dependency file, and
    /// the entry assembly. A plug-in loaded from elsewhere is not among them and must be listed.
    /// </summary>
    private static List<string> ApplicationAssemblyNames()
    {
        List<string> names = [];
        if (System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name is { } entry)
        {
            names.Add(entry);
        }

        string? deps = (AppContext.GetData("APP_CONTEXT_DEPS_FILES") as string)?.Split(';', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(File.Exists);
        if (deps is null)
        {
            return names;
        }

        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(File.ReadAllText(deps));
            if (document.RootElement.TryGetProperty("libraries", out var libraries))
            {
                foreach (var library in libraries.EnumerateObject())
                {
                    if (library.Value.TryGetProperty("type", out var type) && type.GetString() == "project")
                    {
                        names.Add(library.Name.Split('/')[0]);
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException or UnauthorizedAccessException)
        {
            // Without the dependency file, only the entry assembly counts as the application's.
        }

        return names;
    }

    /// <summary>
    /// Whether every type of the assembly named <paramref name="simpleName"/> is allowed: an
    /// application assembly, or one listed as <c>assembly:Name</c>. Only such assemblies are
    /// loaded to find a routine a call names.
    /// </summary>
    public bool AllowsAssembly(string simpleName) => _assemblies.Contains(simpleName);

    /// <summary>Whether <paramref name="type"/> may be rebuilt: itself, its generic arguments and its array element type.</summary>
    public bool Allows(Type type) => _decisions.GetOrAdd(type, Whole);

    /// <summary>The same as <see cref="Allows"/>.</summary>
    public bool AllowsWhole(Type type) => Allows(type);

    private bool Whole(Type type)
        => type.HasElementType ? Allows(type.GetElementType()!) : Decide(type) && (!type.IsGenericType || type.GetGenericArguments().All(Allows));

    /// <summary>The refusal for <paramref name="type"/>, saying which option allows it.</summary>
    public static string Refusal(Type type)
        => $"the type '{TypeNames.Readable(type)}' (assembly {type.Assembly.GetName().Name}) is not allowed here: only the application's own assemblies, common framework types and listed types are rebuilt from a payload. " +
           $"If it may travel, list it on the pool (WorkerPoolOptions.AllowedTypes) and its workers (--allow-type): {EntriesFor(type)}";

    /// <summary>
    /// The entries that would allow <paramref name="type"/>, for messages: its name, its namespace,
    /// and its assembly unless that is one of the framework's (allowing all of it would be far more than needed).
    /// </summary>
    public static string EntriesFor(Type type)
    {
        Type definition = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        return FrameworkTypes.Contains(definition)
            ? $"{definition.FullName} or {definition.Namespace}.*"
            : $"{definition.FullName}, {definition.Namespace}.* or assembly:{definition.Assembly.GetName().Name}";
    }

    /// <summary>
    /// Wool's own types that travel: its exceptions, its public data (<c>WorkerInfo</c>,
    /// <c>WorkerStatus</c>, <c>WorkerLimits</c>) and the token of a streamed argument; never a pool or
    /// any other of its machinery, whose disposal would act on this process.
    /// </summary>
    private static bool TravelsFromWool(Type type)
    {
        if (typeof(Exception).IsAssignableFrom(type) || type.FullName == "Wool.Routines.StreamArgumentToken")
        {
            return true;
        }

        for (Type? level = type; level is not null; level = level.BaseType)
        {
            if (level.FullName == "Wool.RoutinePool")
            {
                return false;
            }
        }

        return type.IsPublic && type.Namespace == "Wool" && !type.IsAbstract;
    }

    private bool Decide(Type type)
    {
        Type definition = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        if (type.IsPrimitive || type.IsEnum || Vetted.Contains(definition))
        {
            return true;
        }

        if (type.Assembly == typeof(TypeAllowList).Assembly)
        {
            return TravelsFromWool(type);
        }

        if (typeof(Exception).IsAssignableFrom(type) && FrameworkTypes.Contains(type))
        {
            // Rebuilt field by field, never through a constructor or a setter.
            return true;
        }

        if (type.IsInterface && FrameworkTypes.Contains(type))
        {
            // Never created: a framework interface is a generic routine's type argument (IEnumerable<int>)
            // or a declared type; what a payload builds is the concrete type, checked on its own.
            return true;
        }

        string name = definition.FullName ?? definition.Name;
        return _assemblies.Contains(type.Assembly.GetName().Name ?? "")
               || _types.Contains(name)
               || _namespaces.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal));
    }
}
