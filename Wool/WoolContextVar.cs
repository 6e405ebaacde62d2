using System.Collections.Concurrent;
using System.Diagnostics;
using Wool.Context;
using Wool.Serialization;
using Wool.Serialization.Types;

namespace Wool;

/// <summary>
/// An ambient value that scopes routine calls the way <see cref="AsyncLocal{T}"/> scopes local
/// calls, across processes: a value set in the caller's flow is visible inside every routine it
/// calls, on whatever worker, and in what those routines call further; changes a routine makes
/// are visible to what it calls next, never to its caller.
/// </summary>
/// <remarks>
/// <para>
/// Declare each variable once, in a <c>static readonly</c> field: names are unique per process
/// (use dotted names such as <c>"myapp.tenant"</c>), and a second declaration of a name is an
/// error that names both. Only values that were set travel; defaults do not.
/// </para>
/// <para>
/// Values are copied to workers with the same serializer as arguments. A value that cannot be
/// serialized fails the call at the caller, naming the variable. A value that arrives but cannot
/// be read on a worker (its type is missing there) reads as unset and is logged as a warning, or
/// throws <see cref="WoolContextException"/> inside <see cref="WoolContext.Strict"/>. Thread-safe.
/// </para>
/// </remarks>
/// <typeparam name="T">The type of the value.</typeparam>
public sealed class WoolContextVar<T>
{
    private static readonly ConcurrentDictionary<string, string> s_declarations = new(StringComparer.Ordinal);

    private readonly T _default;

    /// <summary>Declares a variable without a default: reading it before it is set throws <see cref="WoolContextException"/>.</summary>
    /// <exception cref="WoolContextException">Another variable already has this name.</exception>
    public WoolContextVar(string name)
        : this(name, default!, hasDefault: false)
    {
    }

    /// <summary>Declares a variable that reads as <paramref name="defaultValue"/> until it is set.</summary>
    /// <exception cref="WoolContextException">Another variable already has this name.</exception>
    public WoolContextVar(string name, T defaultValue)
        : this(name, defaultValue, hasDefault: true)
    {
    }

    private WoolContextVar(string name, T defaultValue, bool hasDefault)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        string declaration = DescribeDeclaration();
        if (!s_declarations.TryAdd(name, declaration))
        {
            throw new WoolContextException(
                $"A context variable named '{name}' is already declared ({s_declarations[name]}); this declaration ({declaration}) would share its values. " +
                "Declare each variable once, in a static readonly field, or give this one another name.");
        }

        Name = name;
        _default = defaultValue;
        HasDefault = hasDefault;
    }

    /// <summary>The variable's name: its identity across processes.</summary>
    public string Name { get; }

    /// <summary>Whether the variable has a default value.</summary>
    public bool HasDefault { get; }

    /// <summary>
    /// The value in the current flow: the one set (here, or by a caller in another process), or
    /// the default. Setting it changes it for the rest of this flow and everything it calls.
    /// </summary>
    /// <exception cref="WoolContextException">The variable is unset and has no default.</exception>
    public T Value
    {
        get => TryGetValue(out T value) ? value : HasDefault ? _default : throw new WoolContextException(
            $"Context variable '{Name}' is not set in this flow and has no default. Set it (WoolContext.Set or .Value) before reading it, declare it with a default, or use TryGetValue.");
        set => AmbientContext.Set(Name, ContextEntry.FromValue(value));
    }

    /// <summary>Gets the value set in the current flow, if any (defaults do not count).</summary>
    public bool TryGetValue(out T value)
    {
        value = default!;
        if (AmbientContext.Find(Name) is not { } entry)
        {
            return false;
        }

        object? raw = entry.GetValue(out Exception? error);
        if (error is null)
        {
            try
            {
                value = raw is T typed ? typed : (T)Primitives.Convert(raw, typeof(T))!;
                return true;
            }
            catch (Exception e) when (e is InvalidCastException or FormatException or OverflowException or WoolSerializationException)
            {
                error = e;
            }
        }

        string reason = error is WoolSerializationException ? error.Message : $"{error.GetType().Name}: {error.Message}";
        if (!ReferenceEquals(this, WoolContext.StrictVar) && WoolContext.IsStrict)
        {
            throw new WoolContextException($"Context variable '{Name}' arrived but could not be read as {TypeNames.Readable(typeof(T))} here: {reason}.", error);
        }

        ContextLog.ValueLost(ContextLog.Logger, Name, reason);
        return false;
    }

    /// <summary>Removes the value from the current flow: the variable reads as unset again.</summary>
    public void Unset() => AmbientContext.Set(Name, null);

    /// <inheritdoc />
    public override string ToString() => Name;

    private static string DescribeDeclaration()
    {
        // Skip this class's own constructors; the first other frame is the declaration.
        var trace = new StackTrace(fNeedFileInfo: true);
        foreach (StackFrame frame in trace.GetFrames())
        {
            var method = frame.GetMethod();
            if (method?.DeclaringType is { } type && type.IsGenericType && type.GetGenericTypeDefinition() == typeof(WoolContextVar<>))
            {
                continue;
            }

            string where = frame.GetFileName() is { } file ? $" at {Path.GetFileName(file)}:{frame.GetFileLineNumber()}" : "";
            return $"declared by {method?.DeclaringType?.FullName}.{method?.Name}{where}";
        }

        return "declared at an unknown place";
    }
}
