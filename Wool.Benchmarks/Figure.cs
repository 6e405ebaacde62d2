using System.Globalization;
using System.Text.Json;

namespace Wool.Benchmarks;

/// <summary>One measured figure, printed as a JSON line and as a table row.</summary>
internal sealed record Figure(string Name, double Value, string Unit)
{
    // Ratios need their second decimal: 1.14x and 1.05x are not both "1.1".
    private int Decimals => Unit == "x" ? 2 : 1;

    public string ToJson() => JsonSerializer.Serialize(new { figure = Name, value = Math.Round(Value, Decimals), unit = Unit });

    public string ToRow() => $"| {Name,-44} | {Value.ToString(Decimals == 2 ? "N2" : "N1", CultureInfo.InvariantCulture),12} | {Unit,-8} |";
}
