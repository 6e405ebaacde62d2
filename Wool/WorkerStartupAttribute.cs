namespace Wool;

/// <summary>
/// Names the application's <see cref="IWorkerStartup"/>: the worker processes that this
/// application's pools spawn run it before they serve (unless
/// <see cref="WorkerPoolOptions.WorkerStartup"/> names another). Read from the entry assembly.
/// </summary>
/// <param name="startupType">A type implementing <see cref="IWorkerStartup"/> with a public parameterless constructor.</param>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = false)]
public sealed class WorkerStartupAttribute(Type startupType) : Attribute
{
    /// <summary>The startup type.</summary>
    public Type StartupType { get; } = startupType;

    /// <summary>Why <paramref name="type"/> cannot serve as a worker startup, with the remedy; null when it can.</summary>
    internal static string? Problem(Type type)
        => !typeof(IWorkerStartup).IsAssignableFrom(type) ? "does not implement Wool.IWorkerStartup; implement it"
            : type.IsAbstract || type.ContainsGenericParameters ? "is abstract or an open generic type; name a concrete class"
            : type.GetConstructor(Type.EmptyTypes) is null ? "has no public parameterless constructor; add one (the worker creates it)"
            : null;
}
