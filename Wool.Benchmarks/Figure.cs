using System.Globalization;
using System.Text.Json;

namespace Wool.Benchmarks;

/// <summary>One measured figure, printed as a JSON line and as a table row.</summary>
internal sealed record Figure(string Name, double Value, string Unit)
{
    public string ToJson() => JsonSerializer.Serialize(new { figure = Name, value = Math.Round(Value, 1), unit = Unit });

    public string ToRow() => $"| {Name,-44} | {Value.ToString("N1", CultureInfo.InvariantCulture),12} | {Unit,-8} |";
}
