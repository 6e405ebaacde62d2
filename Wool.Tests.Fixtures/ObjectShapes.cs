using System.Net;
using Microsoft.Extensions.Logging;
using Wool;

#if OPTIMIZED
namespace Wool.Tests.Fixtures.Optimized;
#else
namespace Wool.Tests.Fixtures;
#endif

/// <summary>State in a private readonly field set by the constructor: the most common shape of a class.</summary>
public sealed class OffsetCounter
{
    private readonly int _offset;

    public OffsetCounter(int offset) => _offset = offset;

    [Routine]
    public async Task<int> AddOffset(int x)
    {
        await Task.Yield();
        return x + _offset;
    }
}

/// <summary>A primary-constructor class: its parameter is captured as a compiler-named field.</summary>
public sealed class Scaler(int factor)
{
    public int Factor => factor;

    [Routine]
    public async Task<int> Scale(int x)
    {
        await Task.Yield();
        return x * factor;
    }
}

/// <summary>Init-only and required members, and get-only auto-properties with initializers.</summary>
public sealed class Profile
{
    public required string Name { get; init; }

    public int Age { get; init; }

    public List<string> Tags { get; } = [];

    public Guid Id { get; } = Guid.NewGuid();
}

/// <summary>Private fields of one name at three levels of inheritance, set by constructors.</summary>
public class Animal(string kind)
{
    private readonly string _name = kind;

    public string AnimalName => _name;
}

public class Dog(string breed) : Animal("dog")
{
    private readonly string _name = breed;

    public string DogName => _name;
}

public sealed class Puppy(string breed, string name) : Dog(breed)
{
    private readonly string _name = name;

    public string Describe() => $"{AnimalName}/{DogName}/{_name}";
}

/// <summary>A struct whose state is private.</summary>
public readonly struct Money(long cents, string currency)
{
    private readonly long _cents = cents;
    private readonly string _currency = currency;

    public override string ToString() => $"{_cents / 100}.{_cents % 100:00} {_currency}";
}

/// <summary>Built only by a factory: its constructor is private and takes no arguments.</summary>
public sealed class Sealed
{
    private int _value;

    private Sealed()
    {
        _value = -1;
    }

    public int Value => _value;

    public static Sealed Create(int value) => new() { _value = value };
}

/// <summary>A tree whose children point back to their parent: a cycle through a list.</summary>
public sealed class TreeNode(string name)
{
    public string Name { get; } = name;

    public TreeNode? Parent { get; private set; }

    public List<TreeNode> Children { get; } = [];

    public TreeNode Add(string name)
    {
        var child = new TreeNode(name) { Parent = this };
        Children.Add(child);
        return child;
    }
}

/// <summary>A doubly linked list node.</summary>
public sealed class Link(int value)
{
    public int Value { get; } = value;

    public Link? Next { get; set; }

    public Link? Previous { get; set; }

    public object? Self { get; set; }

    public static Link Chain(int length)
    {
        var head = new Link(0);
        Link tail = head;
        for (int i = 1; i < length; i++)
        {
            tail.Next = new Link(i) { Previous = tail };
            tail = tail.Next;
        }

        return head;
    }
}

/// <summary>Fields that stay home.</summary>
public sealed class CachedReport(int total)
{
    [NonSerialized]
    private Dictionary<int, string>? _cache = new() { [1] = "warm" };

    public int Total { get; } = total;

    [field: NonSerialized]
    public string? Note { get; set; }

    public bool HasCache => _cache is not null;
}

/// <summary>A service whose fields are bound to its process.</summary>
public sealed class WeatherService(HttpClient http, ILogger<WeatherService> logger)
{
    private readonly HttpClient _http = http;
    private readonly ILogger<WeatherService> _logger = logger;

    [Routine]
    public async Task<int> Forecast(int day)
    {
        await Task.Yield();
        _logger.LogInformation("{Day}", day);
        return _http.Timeout.Seconds + day;
    }
}

/// <summary>An exception whose state lives in private fields.</summary>
public sealed class QuotaExceededException(string account, int limit) : Exception($"Quota of {account} exceeded.")
{
    private readonly string _account = account;
    private readonly int _limit = limit;

    public string Describe() => $"{_account}:{_limit}";
}

/// <summary>A record used as a dictionary key.</summary>
public sealed record GridKey(int X, int Y);

/// <summary>A record that can be made to refer to itself (value equality: hashing a cycle never ends).</summary>
public sealed record Chain(string Name)
{
    public Chain? Next { get; set; }
}

/// <summary>A linked list whose nodes hold hashed and sorted collections of records.</summary>
public sealed class Bag
{
    public HashSet<GridKey> Keys { get; } = [];

    public SortedSet<int> Sorted { get; } = new(new Descending());

    public Bag? Next { get; set; }
}

/// <summary>Values held through interfaces.</summary>
public sealed class Holder
{
    public IEnumerable<int>? Items { get; set; }

    public IEnumerable<int>? Lazy { get; set; }
}

/// <summary>An application's comparer: orders integers from the largest.</summary>
public sealed class Descending : IComparer<int>
{
    public int Compare(int x, int y) => y.CompareTo(x);
}

/// <summary>A list that adds state of its own, which a collection's format cannot carry.</summary>
public sealed class TaggedList : List<string>
{
    public string? Tag { get; set; }
}

/// <summary>A list type of the application's that adds no state.</summary>
public sealed class PlainList : List<string>;

/// <summary>Routines over the shapes above: each reports what arrived.</summary>
public static class ObjectRoutines
{
    [Routine]
    public static async Task<object?> Echo(object? value)
    {
        await Task.Yield();
        return value;
    }

    [Routine]
    public static async Task<Scaler> MakeScaler(int factor)
    {
        await Task.Yield();
        return new Scaler(factor);
    }

    [Routine]
    public static async Task<int> ScaleAll(List<Scaler> list, Dictionary<string, Scaler> map, int x)
    {
        await Task.Yield();
        return list.Sum(s => s.Factor * x) + map.Values.Sum(s => s.Factor * x);
    }

    [Routine]
    public static async IAsyncEnumerable<Scaler> StreamScalers(int count)
    {
        for (int i = 1; i <= count; i++)
        {
            await Task.Yield();
            yield return new Scaler(i);
        }
    }

    [Routine]
    public static async Task<string> DescribeProfile(Profile profile)
    {
        await Task.Yield();
        return $"{profile.Name},{profile.Age},{string.Join('+', profile.Tags)},{profile.Id}";
    }

    [Routine]
    public static async Task<string> DescribePuppy(Puppy puppy)
    {
        await Task.Yield();
        return puppy.Describe();
    }

    [Routine]
    public static async Task<string> DescribeMoney(Money money)
    {
        await Task.Yield();
        return money.ToString();
    }

    [Routine]
    public static async Task<int> SealedValue(Sealed value)
    {
        await Task.Yield();
        return value.Value;
    }

    [Routine]
    public static async Task<bool> Same(object a, object b)
    {
        await Task.Yield();
        return ReferenceEquals(a, b);
    }

    /// <summary>The number of nodes if every child's parent is the node it hangs from, at every level; else -1.</summary>
    [Routine]
    public static async Task<int> CountIntactTree(TreeNode root)
    {
        await Task.Yield();
        return CountLocally(root);
    }

    /// <summary>The list's length if every link's Previous points back and the head points at itself; else -1.</summary>
    [Routine]
    public static async Task<int> CheckChain(Link head)
    {
        await Task.Yield();
        if (!ReferenceEquals(head.Self, head))
        {
            return -1;
        }

        int length = 1;
        for (Link link = head; link.Next is { } next; link = next, length++)
        {
            if (!ReferenceEquals(next.Previous, link))
            {
                return -1;
            }
        }

        return length;
    }

    [Routine]
    public static async Task<Link> MakeChain(int length)
    {
        await Task.Yield();
        Link head = Link.Chain(length);
        head.Self = head;
        return head;
    }

    [Routine]
    public static async Task<string> DescribeReport(CachedReport report)
    {
        await Task.Yield();
        return $"{report.Total},{report.HasCache},{report.Note ?? "null"}";
    }

    [Routine]
    public static async Task ThrowQuota(string account, int limit)
    {
        await Task.Yield();
        throw new QuotaExceededException(account, limit);
    }

    [Routine]
    public static async Task<string> Sum(IEnumerable<int> values)
    {
        await Task.Yield();
        return $"{values.GetType().Name}:{values.Sum()}";
    }

    [Routine]
    public static async Task<int> CountReadOnly(IReadOnlyList<int> values)
    {
        await Task.Yield();
        return values.Count;
    }

    [Routine]
    public static async Task<IPAddress> Loopback(bool v6)
    {
        await Task.Yield();
        return v6 ? IPAddress.IPv6Loopback : IPAddress.Loopback;
    }

    [Routine]
    public static async Task<bool> ContainsIgnoringCase(HashSet<string> set, string value)
    {
        await Task.Yield();
        return set.Contains(value.ToUpperInvariant()) && set.Contains(value.ToLowerInvariant());
    }

    /// <summary>A closure capturing an object whose state is private.</summary>
    public static Task<int> ScaleCaptured(int factor, int x)
    {
        var scaler = new Scaler(factor);
        Func<Task<int>> routine = [Routine] async () =>
        {
            await Task.Yield();
            return scaler.Factor * x;
        };
        return routine();
    }

    private static int CountLocally(TreeNode node)
    {
        int count = 1;
        foreach (TreeNode child in node.Children)
        {
            int below = ReferenceEquals(child.Parent, node) ? CountLocally(child) : -1;
            if (below < 0)
            {
                return -1;
            }

            count += below;
        }

        return count;
    }
}
