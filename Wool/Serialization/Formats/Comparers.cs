using System.Globalization;
using MessagePack;
using Wool.Serialization.Types;

namespace Wool.Serialization.Formats;

/// <summary>
/// The comparer of a hash-based or sorted collection, so that a set built with
/// <see cref="StringComparer.OrdinalIgnoreCase"/> still ignores case on arrival. The default
/// comparer is not written at all (the collection keeps MessagePack's format and size). The
/// well-known string comparers travel as what they are: an integer (<see cref="StringComparison"/>)
/// for the ordinal and invariant ones, <c>[culture, options]</c> for a culture's. Any other
/// comparer travels as an object (an application's comparer class is copied field by field;
/// one that wraps a delegate is refused, like any delegate). Thread-safe.
/// </summary>
internal static class Comparers
{
    /// <summary>Whether <paramref name="comparer"/> orders or equates <typeparamref name="T"/> as the default does, so it need not travel.</summary>
    public static bool IsDefault<T>(object? comparer)
        => comparer is null
           || ReferenceEquals(comparer, EqualityComparer<T>.Default)
           || ReferenceEquals(comparer, Comparer<T>.Default)
           // What a collection received from MessagePack holds: the default, hardened against hash flooding.
           || comparer.GetType().Namespace?.StartsWith("MessagePack", StringComparison.Ordinal) == true;

    public static void Write(ref MessagePackWriter writer, object comparer, MessagePackSerializerOptions options)
    {
        if (comparer is StringComparer strings)
        {
            if (StringComparer.IsWellKnownOrdinalComparer(strings, out bool ignoreCase))
            {
                writer.Write((int)(ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal));
                return;
            }

            if (StringComparer.IsWellKnownCultureAwareComparer(strings, out CompareInfo? culture, out CompareOptions compare))
            {
                if (culture.Name.Length == 0 && compare is CompareOptions.None or CompareOptions.IgnoreCase)
                {
                    writer.Write((int)(compare == CompareOptions.None ? StringComparison.InvariantCulture : StringComparison.InvariantCultureIgnoreCase));
                    return;
                }

                writer.WriteArrayHeader(2);
                writer.Write(culture.Name);
                writer.Write((int)compare);
                return;
            }
        }

        // The object slot's formatter (through the resolver): the comparer's type travels with it.
        options.Resolver.GetFormatterWithVerify<object>().Serialize(ref writer, comparer, options);
    }

    /// <summary>Reads a comparer written by <see cref="Write"/>, which must be a <typeparamref name="TComparer"/>.</summary>
    /// <exception cref="WoolSerializationException">The message holds something else.</exception>
    public static TComparer Read<TComparer>(ref MessagePackReader reader, MessagePackSerializerOptions options)
        where TComparer : class
    {
        object? comparer;
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Integer:
                int comparison = reader.ReadInt32();
                comparer = comparison is >= (int)StringComparison.InvariantCulture and <= (int)StringComparison.OrdinalIgnoreCase
                    ? StringComparer.FromComparison((StringComparison)comparison)
                    : throw Malformed<TComparer>($"string comparison {comparison}");
                break;
            case MessagePackType.Array:
                if (reader.ReadArrayHeader() != 2)
                {
                    throw Malformed<TComparer>("a culture comparer of other than two parts");
                }

                string name = reader.ReadString() ?? "";
                var compare = (CompareOptions)reader.ReadInt32();
                try
                {
                    // Predefined cultures only: each made-up name (en-US-x-1, en-US-x-2, …) would stay cached for the process's life.
                    comparer = StringComparer.Create(CultureInfo.GetCultureInfo(name, predefinedOnly: true), compare);
                }
                catch (Exception e) when (e is CultureNotFoundException or ArgumentException)
                {
                    throw new WoolSerializationException($"a collection compares strings by culture '{name}' ({compare}), which this process cannot: {e.Message}", e);
                }

                break;
            default:
                comparer = options.Resolver.GetFormatterWithVerify<object>().Deserialize(ref reader, options);
                break;
        }

        return comparer as TComparer ?? throw Malformed<TComparer>(comparer is null ? "nothing" : $"a '{TypeNames.Readable(comparer.GetType())}'");
    }

    private static WoolSerializationException Malformed<TComparer>(string found)
        => new($"a collection's comparer should be an '{TypeNames.Readable(typeof(TComparer))}' but the message holds {found}; it was not written by this build");
}
