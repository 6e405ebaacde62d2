using Wool;

/// <summary>
/// An everyday service object: configured through its constructor, state in private readonly
/// fields, a cache that belongs to the process it runs in. Calling a routine on it sends a
/// field-by-field copy (no constructor runs on the worker); the [NonSerialized] cache stays home.
/// </summary>
internal sealed class PriceList(string currency, Dictionary<string, decimal> prices)
{
    private readonly string _currency = currency;
    private readonly Dictionary<string, decimal> _prices = new(prices, StringComparer.OrdinalIgnoreCase);

    [NonSerialized]
    private Dictionary<string, decimal>? _rounded;

    public static async Task RunAsync()
    {
        var list = new PriceList("EUR", new() { ["apple"] = 0.45m, ["pear"] = 0.6m });
        var basket = new Basket();
        basket.Add("Apple", 4).Add("PEAR", 2);
        Console.WriteLine($"price list: {await list.Total(basket)} (the comparer and private fields travelled; the worker rebuilt its cache)");
    }

    [Routine]
    public async Task<string> Total(Basket basket)
    {
        await Task.Yield();
        _rounded ??= _prices.ToDictionary(p => p.Key, p => Math.Round(p.Value, 1), StringComparer.OrdinalIgnoreCase);
        decimal total = basket.Lines.Sum(line => _rounded[line.Item] * line.Quantity);
        return $"{total} {_currency} for {basket.Lines.Count} lines";
    }
}

/// <summary>Lines that point back at their basket: a cycle, which arrives intact.</summary>
internal sealed class Basket
{
    public List<Line> Lines { get; } = [];

    public Basket Add(string item, int quantity)
    {
        Lines.Add(new Line(this, item, quantity));
        return this;
    }
}

internal sealed record Line(Basket Basket, string Item, int Quantity);
