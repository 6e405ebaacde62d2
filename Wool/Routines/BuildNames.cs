namespace Wool.Routines;

/// <summary>How messages name a build of an application: the first 8 hex digits of its module version id, as in <c>4f2c9a1e…</c>.</summary>
internal static class BuildNames
{
    public static string Short(Guid moduleVersionId) => moduleVersionId.ToString("N")[..8] + "…";

    /// <summary>The simple name of an assembly's full name (<c>MyApp</c> of <c>MyApp, Version=1.0.0.0, …</c>).</summary>
    public static string Application(string assemblyName)
    {
        int comma = assemblyName.IndexOf(',', StringComparison.Ordinal);
        return comma < 0 ? assemblyName : assemblyName[..comma];
    }
}
