using System.Runtime.CompilerServices;
using MessagePack;
using MessagePack.Formatters;

namespace Wool.Serialization.Graph;

/// <summary>
/// Wraps the formatter of a reference type (of exactly that type: a derived value goes through
/// <see cref="PolymorphicFormatter{T}"/> first) so that the object keeps its identity within the
/// message (<see cref="ObjectGraph"/>): written once, referred to afterwards, deferred when deep.
/// </summary>
internal sealed class GraphFormatter<T> : IMessagePackFormatter<T>
    where T : class
{
    private readonly IMessagePackFormatter<T> _inner;
    private readonly IDeferrable? _deferrable;

    // Wool's collections hash and compare their elements as they are rebuilt: nothing in them is deferred.
    private readonly bool _collection = Formats.WoolFormats.Handles(typeof(T));

    // Exactly T here (a derived value goes through PolymorphicFormatter first): decided once.
    private readonly bool _valueEquality = ValueEquality.Of(typeof(T));

    public GraphFormatter(IMessagePackFormatter<T> inner)
    {
        _inner = inner;
        _deferrable = inner as IDeferrable;
    }

    public void Serialize(ref MessagePackWriter writer, T value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }

        ObjectGraph graph = ObjectGraph.Current;
        if (graph.TryWriteReference(ref writer, value))
        {
            return;
        }

        if (_deferrable is not null && graph.Depth >= ObjectGraph.DeferDepth && !graph.InCollection)
        {
            graph.Defer(ref writer, value, _deferrable);
            return;
        }

        int id = graph.Add(value, adoptable: _deferrable is not null, _valueEquality);
        graph.Enter(typeof(T), options.Security.MaximumObjectGraphDepth);
        if (_collection)
        {
            graph.EnterCollection();
        }

        try
        {
            _inner.Serialize(ref writer, value, options);
        }
        finally
        {
            graph.Exit();
            if (_collection)
            {
                graph.ExitCollection();
            }
        }

        graph.Close(id);
    }

    public T Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil())
        {
            return null!;
        }

        if (!RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            throw new WoolSerializationException($"a '{Types.TypeNames.Readable(typeof(T))}' is nested too deeply to rebuild on this thread");
        }

        ObjectGraph graph = ObjectGraph.Current;
        if (graph.TryReadReference(ref reader, _deferrable, options, out object? referenced))
        {
            return Cast(referenced);
        }

        int id = graph.Reserve(adoptable: _deferrable is not null, _valueEquality);
        T value;
        if (_collection)
        {
            graph.EnterCollection();
            try
            {
                value = _inner.Deserialize(ref reader, options);
            }
            finally
            {
                graph.ExitCollection();
            }
        }
        else
        {
            value = _inner.Deserialize(ref reader, options);
        }

        if (value is not null)
        {
            graph.Fill(id, value);
        }

        return value!;
    }

    internal static T Cast(object? value) => value as T ?? throw new WoolSerializationException(
        $"the message refers to a '{Types.TypeNames.Readable(value?.GetType() ?? typeof(object))}' where a '{Types.TypeNames.Readable(typeof(T))}' belongs; it was not written by this build");
}
