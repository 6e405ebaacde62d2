using MessagePack;

namespace Wool.Serialization.Graph;

/// <summary>
/// A class whose instances can exist before their fields are read (objects copied field by field,
/// <c>Serialization/Objects</c>). The graph registers such an instance as soon as it is created,
/// so later values may refer back to it (a cycle), and writes it out of line once the writer is
/// deep in a chain (a 10,000-node list), so that no graph overflows the stack.
/// </summary>
internal interface IDeferrable
{
    /// <summary>Creates the instance, without running a constructor, its fields at their defaults.</summary>
    /// <exception cref="WoolSerializationException">This process may not rebuild the type.</exception>
    object CreateEmpty(MessagePackSerializerOptions options);

    /// <summary>Writes the fields of <paramref name="value"/>.</summary>
    void WriteBody(ref MessagePackWriter writer, object value, MessagePackSerializerOptions options);

    /// <summary>Reads fields written by <see cref="WriteBody"/> into <paramref name="instance"/>.</summary>
    void ReadBody(ref MessagePackReader reader, object instance, MessagePackSerializerOptions options);
}
