using Wool;

#if OPTIMIZED
namespace Wool.Tests.Fixtures.Optimized;
#else
namespace Wool.Tests.Fixtures;
#endif

/// <summary>Generic routines: type arguments travel with the call and the invoker is closed per instantiation.</summary>
public static class GenericShapes
{
    [Routine]
    public static async Task<T> Echo<T>(T value)
    {
        await Task.Yield();
        return value;
    }

    [Routine]
    public static async Task<string> TypeName<T>()
    {
        await Task.Yield();
        return typeof(T).Name;
    }

    [Routine]
    public static async Task<List<T>> Repeat<T>(T value, int times)
        where T : notnull
    {
        await Task.Yield();
        return Enumerable.Repeat(value, times).ToList();
    }

    [Routine]
    public static async IAsyncEnumerable<TOut> Map<TIn, TOut>(TIn[] values, Func2<TIn, TOut> map)
        where TOut : struct
    {
        foreach (TIn value in values)
        {
            await Task.Yield();
            yield return map.Apply(value);
        }
    }
}

/// <summary>A serializable stand-in for a mapping function (delegates cannot travel).</summary>
public sealed class Func2<TIn, TOut>
    where TOut : struct
{
    public Dictionary<string, TOut> Table { get; set; } = [];

    public TOut Apply(TIn value) => Table[value!.ToString()!];
}

/// <summary>Routines of a generic type, including a generic method of a generic type.</summary>
public sealed class Box<T>
{
    public T Value { get; set; } = default!;

    [Routine]
    public async Task<T> Get()
    {
        await Task.Yield();
        return Value;
    }

    [Routine]
    public async ValueTask<KeyValuePair<T, TOther>> PairWith<TOther>(TOther other)
    {
        await Task.Yield();
        return new KeyValuePair<T, TOther>(Value, other);
    }

    [Routine]
    public static async Task<T[]> Fill(T value, int count)
    {
        await Task.Yield();
        return Enumerable.Repeat(value, count).ToArray();
    }
}
