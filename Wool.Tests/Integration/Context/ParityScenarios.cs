namespace Wool.Tests.Integration.Context;

/// <summary>
/// What a scenario needs from "the ambient variable" and "calling the next routine": implemented
/// once with a real AsyncLocal and local calls (the oracle), once with a WoolContextVar and
/// routine calls across worker processes.
/// </summary>
public interface IHop
{
    string Read();

    void Write(int value);

    Task<List<string>> CallInnerAsync(string label);

    IAsyncEnumerable<string> StreamAsync();
}

/// <summary>The scenario bodies, shared by both implementations.</summary>
public static class ParityScenarios
{
    public static async Task<List<string>> Outer(IHop hop)
    {
        var seen = new List<string> { $"outer.start={hop.Read()}" };
        await Task.Yield();
        hop.Write(2);
        seen.Add($"outer.afterWrite={hop.Read()}");
        seen.AddRange(await hop.CallInnerAsync("first"));
        seen.Add($"outer.afterInner={hop.Read()}");
        var siblings = await Task.WhenAll(
            Task.Run(async () => { hop.Write(10); await Task.Yield(); return $"sibling10={hop.Read()}"; }),
            Task.Run(async () => { await Task.Delay(20); return $"sibling-untouched={hop.Read()}"; }));
        seen.AddRange(siblings);
        seen.Add($"outer.afterSiblings={hop.Read()}");
        seen.AddRange(await hop.CallInnerAsync("second"));
        return seen;
    }

    public static async Task<List<string>> Inner(IHop hop, string label)
    {
        var seen = new List<string> { $"inner.{label}.start={hop.Read()}" };
        await Task.Yield();
        hop.Write(3);
        seen.Add($"inner.{label}.afterWrite={hop.Read()}");
        return seen;
    }

    public static async IAsyncEnumerable<string> Steps(IHop hop)
    {
        for (int i = 0; i < 3; i++)
        {
            await Task.Yield();
            yield return $"step{i}.start={hop.Read()}";
            hop.Write(100 + i);
            yield return $"step{i}.afterWrite={hop.Read()}";
        }
    }

    /// <summary>The caller's side of the stream scenario: changes its value between steps.</summary>
    public static async Task<List<string>> DriveSteps(IHop hop)
    {
        var seen = new List<string>();
        int n = 0;
        await foreach (string step in hop.StreamAsync())
        {
            seen.Add(step);
            hop.Write(50 + n++);
            seen.Add($"caller.between={hop.Read()}");
        }

        seen.Add($"caller.end={hop.Read()}");
        return seen;
    }
}

/// <summary>The oracle: an AsyncLocal and plain local calls.</summary>
public sealed class LocalHop : IHop
{
    private static readonly AsyncLocal<int?> s_value = new();

    public string Read() => s_value.Value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unset";

    public void Write(int value) => s_value.Value = value;

    public Task<List<string>> CallInnerAsync(string label) => ParityScenarios.Inner(this, label);

    public IAsyncEnumerable<string> StreamAsync() => ParityScenarios.Steps(this);
}

/// <summary>The system under test: a WoolContextVar and routines on workers.</summary>
public sealed class RemoteHop : IHop
{
    public static readonly WoolContextVar<int> Value = new("test.parity");

    public string Read() => Value.TryGetValue(out int value) ? value.ToString(System.Globalization.CultureInfo.InvariantCulture) : "unset";

    public void Write(int value) => Value.Value = value;

    public Task<List<string>> CallInnerAsync(string label) => ContextRoutines.Inner(this, label);

    public IAsyncEnumerable<string> StreamAsync() => ContextRoutines.Steps(this);
}
