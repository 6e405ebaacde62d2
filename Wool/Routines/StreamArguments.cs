using System.Collections.Concurrent;
using System.Reflection;

namespace Wool.Routines;

/// <summary>
/// Turns <see cref="IAsyncEnumerable{T}"/> arguments into placeholders at the caller, and
/// placeholders back into streams that pull from the caller at the worker. Only direct
/// arguments stream; a stream nested inside another value is refused by the serializer.
/// </summary>
internal static class StreamArguments
{
    private static readonly Serialization.Types.TypeCache<Type?> s_elementTypes = new();
    private static readonly Serialization.Types.TypeCache<Func<object, IAsyncEnumerable<object?>>> s_boxers = new();
    // By element type name, in the load context that resolves it: a shipped build's names mean its own types.
    private static readonly ConcurrentDictionary<string, Func<Routine, string, uint, IArgumentSource, object>> s_binders = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<System.Runtime.Loader.AssemblyLoadContext, ConcurrentDictionary<string, Func<Routine, string, uint, IArgumentSource, object>>> s_bindersByContext = new();

    /// <summary>Replaces each streamed argument with its placeholder; returns them, or null when there are none.</summary>
    public static List<StreamArgument>? Extract(Routine routine, object?[] arguments)
    {
        List<StreamArgument>? streams = null;
        for (int i = 0; i < arguments.Length; i++)
        {
            // Most arguments are strings and primitives: skip the type lookup for them on every call.
            if (arguments[i] is not { } value || value is string || value.GetType().IsPrimitive || ElementType(value.GetType()) is not { } element)
            {
                continue;
            }

            streams ??= [];
            uint slot = (uint)streams.Count;
            string name = i < routine.ParameterNames.Count ? routine.ParameterNames[i] : $"#{i}";
            streams.Add(new StreamArgument(slot, name, Box(value, element)));
            arguments[i] = new StreamArgumentToken { Slot = slot, ElementType = element.AssemblyQualifiedName! };
        }

        return streams;
    }

    /// <summary>Replaces each placeholder with a stream that pulls its items from <paramref name="source"/>.</summary>
    public static void Bind(Routine routine, object?[] arguments, IArgumentSource? source)
    {
        for (int i = 0; i < arguments.Length; i++)
        {
            if (arguments[i] is not StreamArgumentToken token)
            {
                continue;
            }

            string name = i < routine.ParameterNames.Count ? routine.ParameterNames[i] : $"#{i}";
            if (source is null)
            {
                throw new RoutineInvocationException($"Argument '{name}' of routine '{routine.Name}' is a stream, and this call path cannot carry streamed arguments.");
            }

            var binders = System.Runtime.Loader.AssemblyLoadContext.CurrentContextualReflectionContext is { IsCollectible: true } build
                ? s_bindersByContext.GetOrAdd(build, static context =>
                {
                    // Dropped when the build unloads, so that it does not outlive it.
                    context.Unloading += static unloading => s_bindersByContext.TryRemove(unloading, out _);
                    return new(StringComparer.Ordinal);
                })
                : s_binders;
            arguments[i] = binders.GetOrAdd(token.ElementType, CreateBinder)(routine, name, token.Slot, source);
        }
    }

    private static Type? ElementType(Type type) => s_elementTypes.GetOrAdd(type, static t =>
        t.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IAsyncEnumerable<>))?.GetGenericArguments()[0]);

    private static IAsyncEnumerable<object?> Box(object stream, Type element) => s_boxers.GetOrAdd(element, static e =>
    {
        var box = typeof(StreamArguments).GetMethod(nameof(BoxItems), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(e);
        return box.CreateDelegate<Func<object, IAsyncEnumerable<object?>>>();
    })(stream);

    private static IAsyncEnumerable<object?> BoxItems<T>(object stream) => RoutineResults.FromStream((IAsyncEnumerable<T>)stream);

    private static Func<Routine, string, uint, IArgumentSource, object> CreateBinder(string elementType)
    {
        Type element = Type.GetType(Serialization.Types.TypeNameLimit.Checked(elementType), throwOnError: false)
            ?? throw new RoutineInvocationException($"A streamed argument carries items of type '{elementType}', which this process cannot load. Deploy the assembly that defines it next to the worker.");
        try
        {
            Serialization.WoolSerializer.CheckAllowed(element);
        }
        catch (TypeAccessException e)
        {
            throw new WoolSerializationException($"A streamed argument carries items of type '{elementType}': {e.Message}.", e);
        }

        var create = typeof(StreamArguments).GetMethod(nameof(CreateStream), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(element);
        return create.CreateDelegate<Func<Routine, string, uint, IArgumentSource, object>>();
    }

    private static object CreateStream<T>(Routine routine, string parameter, uint slot, IArgumentSource source)
        => new RemoteArgumentStream<T>(routine, parameter, slot, source);
}
