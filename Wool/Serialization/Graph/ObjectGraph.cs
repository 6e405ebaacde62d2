using System.Runtime.CompilerServices;
using MessagePack;
using Wool.Serialization.Types;

namespace Wool.Serialization.Graph;

/// <summary>
/// The identities of one message's objects, so that the graph arrives as it was sent: an object
/// reached twice (two arguments, a parent and its child's back-reference, a cycle) is written
/// once and referred to afterwards, and is one object on arrival. Objects are numbered in the
/// order they are first met, on both sides, so references carry only that number.
/// <para>
/// Deep chains do not grow the stack: past <see cref="DeferDepth"/> nested objects, an object
/// copied field by field (<see cref="IDeferrable"/>) is written as a forward reference and its
/// fields follow the top-level value as a separate record; the reader creates the instance at
/// the reference and fills it when the record arrives. What cannot be deferred (collections)
/// nests up to the options' <see cref="MessagePackSecurity.MaximumObjectGraphDepth"/>.
/// </para>
/// One graph per message, current on the serializing thread for the message's duration
/// (MessagePack formatters are synchronous); <see cref="Open"/> nests. Not thread-safe.
/// </summary>
internal sealed class ObjectGraph : IDisposable
{
    /// <summary>Extension code of a reference to an object met earlier in the message.</summary>
    public const sbyte ReferenceCode = 110;

    /// <summary>Extension code of an object whose fields follow the top-level value.</summary>
    public const sbyte DeferredCode = 111;

    /// <summary>Extension code that opens the record of a deferred object's fields.</summary>
    public const sbyte BodyCode = 112;

    /// <summary>Nested objects after which objects copied field by field are written out of line.</summary>
    public const int DeferDepth = 48;

    [ThreadStatic]
    private static ObjectGraph? t_current;

    private readonly ObjectGraph? _outer;
    private int _count;
    private int _adoptSlot = -1;

    // Writing: ids by object, ids of collections still being written, objects deferred.
    private Dictionary<object, int>? _ids;
    private HashSet<int>? _open;

    // Both sides: objects with value equality whose fields are being written or read now (a reference to one closes a cycle that hashing would never leave).
    private HashSet<int>? _active;
    private int _collections;
    private Queue<(int Id, object Value, IDeferrable Body)>? _deferred;

    // Reading: objects by id (null while a collection is being read), instances awaiting their fields.
    private List<object?>? _objects;
    private Dictionary<int, (object Instance, IDeferrable Body)>? _awaiting;

    private ObjectGraph(ObjectGraph? outer) => _outer = outer;

    /// <summary>The graph of the message being written or read on this thread.</summary>
    /// <exception cref="InvalidOperationException">No message is being written or read (a Wool bug).</exception>
    public static ObjectGraph Current => t_current ?? throw new InvalidOperationException("A Wool formatter ran outside a message; open an ObjectGraph first.");

    /// <summary>Objects nested around the one being written.</summary>
    public int Depth { get; private set; }

    /// <summary>Starts a message on this thread; dispose to end it (and return to the enclosing one, if any).</summary>
    public static ObjectGraph Open() => t_current = new ObjectGraph(t_current);

    public void Dispose() => t_current = _outer;

    /// <summary>Enters one nesting level while writing <paramref name="type"/>.</summary>
    /// <exception cref="ValueRefusedException">The value nests deeper than <paramref name="maxDepth"/> levels, or the stack is nearly exhausted.</exception>
    public void Enter(Type type, int maxDepth)
    {
        if (++Depth > maxDepth || !RuntimeHelpers.TryEnsureSufficientExecutionStack())
        {
            Depth--;
            throw new ValueRefusedException(type,
                $"nests collections or values deeper than the {maxDepth} levels a value may have",
                "Flatten it, or raise WorkerLimits.MaxValueDepth (--max-value-depth) on the pool and its workers alike");
        }
    }

    public void Exit() => Depth--;

    /// <summary>
    /// Whether a hashed or sorted collection's elements are being written or read: no object is
    /// deferred there, since the collection hashes and compares its elements as it is rebuilt, before
    /// deferred fields would arrive.
    /// </summary>
    public bool InCollection => _collections > 0;

    public void EnterCollection() => _collections++;

    public void ExitCollection() => _collections--;

    /// <summary>Writes a reference if <paramref name="value"/> was written earlier in this message.</summary>
    /// <exception cref="ValueRefusedException"><paramref name="value"/> is a collection that contains itself.</exception>
    public bool TryWriteReference(ref MessagePackWriter writer, object value)
    {
        if (_ids is null || !_ids.TryGetValue(value, out int id))
        {
            return false;
        }

        if (_open?.Contains(id) == true)
        {
            throw new ValueRefusedException(value.GetType(),
                "contains itself: Wool rebuilds objects that refer back to each other, but not a collection (or an object with a MessagePack contract of its own) that holds itself, directly or through its elements",
                "Break that cycle, for example by holding an id instead of the collection");
        }

        if (_active?.Contains(id) == true)
        {
            throw new ValueRefusedException(value.GetType(),
                "refers back to itself through its fields, and it has value equality (a record, or an override of GetHashCode): hashing or comparing it would never end",
                "Break that cycle, or give the type reference equality (a class that does not override Equals and GetHashCode)");
        }

        ObjectIds.Write(ref writer, ReferenceCode, id);
        return true;
    }

    /// <summary>
    /// Numbers <paramref name="value"/>, met for the first time. A value that is not <paramref name="adoptable"/>
    /// may not be referred to until <see cref="Close"/>, nor one with <paramref name="valueEquality"/> (<see cref="ValueEquality"/>).
    /// </summary>
    public int Add(object value, bool adoptable, bool valueEquality = false)
    {
        _ids ??= new Dictionary<object, int>(ReferenceEqualityComparer.Instance);
        int id = _count++;
        _ids.Add(value, id);
        if (valueEquality)
        {
            (_active ??= []).Add(id);
        }

        if (!adoptable)
        {
            (_open ??= []).Add(id);
        }

        return id;
    }

    /// <summary>The value numbered <paramref name="id"/> is written whole.</summary>
    public void Close(int id)
    {
        _open?.Remove(id);
        _active?.Remove(id);
    }

    /// <summary>Writes a forward reference to <paramref name="value"/>, whose fields <see cref="WriteDeferred"/> writes later.</summary>
    public void Defer(ref MessagePackWriter writer, object value, IDeferrable body)
    {
        int id = Add(value, adoptable: true);
        (_deferred ??= new()).Enqueue((id, value, body));
        ObjectIds.Write(ref writer, DeferredCode, id);
    }

    /// <summary>Writes the fields of every deferred object (and of those they defer in turn), each as a record after the top-level value.</summary>
    public void WriteDeferred(ref MessagePackWriter writer, MessagePackSerializerOptions options)
    {
        while (_deferred is not null && _deferred.TryDequeue(out var deferred))
        {
            ObjectIds.Write(ref writer, BodyCode, deferred.Id);
            bool tracked = ValueEquality.Of(deferred.Value.GetType());
            if (tracked)
            {
                (_active ??= []).Add(deferred.Id);
            }

            deferred.Body.WriteBody(ref writer, deferred.Value, options);
            _active?.Remove(deferred.Id);
        }
    }

    /// <summary>Reserves the number of an object about to be read (the same order as the writer's).</summary>
    public int Reserve(bool adoptable, bool valueEquality = false)
    {
        (_objects ??= []).Add(null);
        int id = _objects.Count - 1;
        _adoptSlot = adoptable ? id : -1;
        if (valueEquality)
        {
            (_active ??= []).Add(id);
        }

        return id;
    }

    /// <summary>
    /// Registers an instance just created, before its fields are read, under the number
    /// <see cref="Reserve"/> gave it, so that its fields may refer back to it.
    /// </summary>
    public void Adopt(object instance)
    {
        if (_adoptSlot >= 0)
        {
            _objects![_adoptSlot] = instance;
            _adoptSlot = -1;
        }
    }

    /// <summary>The object numbered <paramref name="id"/> is read whole.</summary>
    public void Fill(int id, object value)
    {
        _objects![id] = value;
        _active?.Remove(id);
    }

    /// <summary>Reads a reference or a forward reference, if that is what comes next.</summary>
    /// <returns>Whether one was read; <paramref name="value"/> is then the object it names.</returns>
    /// <exception cref="WoolSerializationException">The reference names no object of this message, or one not readable yet.</exception>
    public bool TryReadReference(ref MessagePackReader reader, IDeferrable? deferrable, MessagePackSerializerOptions options, out object? value)
    {
        value = null;
        if (reader.NextMessagePackType != MessagePackType.Extension)
        {
            return false;
        }

        MessagePackReader peek = reader.CreatePeekReader();
        ExtensionHeader header = peek.ReadExtensionFormatHeader();
        if (header.TypeCode is not (ReferenceCode or DeferredCode))
        {
            return false;
        }

        int id = ObjectIds.Read(ref peek, header);
        reader = peek;
        if (header.TypeCode == ReferenceCode)
        {
            value = id < (_objects?.Count ?? 0) ? _objects![id] : throw Malformed($"refers to object #{id}, which the message has not sent");
            if (value is not null && _active?.Contains(id) == true)
            {
                throw Malformed($"refers back to a '{TypeNames.Readable(value.GetType())}' while it is being read, and that type has value equality (hashing it would never end)");
            }

            return value is not null ? true : throw Malformed($"refers to object #{id} while it is being read (a collection that contains itself)");
        }

        if (deferrable is null || id != (_objects?.Count ?? 0) || InCollection)
        {
            throw Malformed($"defers object #{id} where none can be deferred");
        }

        object instance = deferrable.CreateEmpty(options);
        (_objects ??= []).Add(instance);
        (_awaiting ??= []).Add(id, (instance, deferrable));
        value = instance;
        return true;
    }

    /// <summary>Reads the records of deferred objects that follow a top-level value.</summary>
    /// <exception cref="WoolSerializationException">A record is missing or names no deferred object.</exception>
    public void ReadDeferred(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        while (_awaiting is { Count: > 0 })
        {
            if (reader.End || reader.NextMessagePackType != MessagePackType.Extension)
            {
                throw Malformed($"ends before the fields of {_awaiting.Count} deferred objects");
            }

            ExtensionHeader header = reader.ReadExtensionFormatHeader();
            int id = header.TypeCode == BodyCode ? ObjectIds.Read(ref reader, header) : throw Malformed($"has extension {header.TypeCode} where the fields of a deferred object belong");
            if (!_awaiting.Remove(id, out var awaiting))
            {
                throw Malformed($"carries fields for object #{id}, which is not awaiting any");
            }

            if (ValueEquality.Of(awaiting.Instance.GetType()))
            {
                (_active ??= []).Add(id);
            }

            awaiting.Body.ReadBody(ref reader, awaiting.Instance, options);
            _active?.Remove(id);
        }
    }

    internal static WoolSerializationException Malformed(string what)
        => new($"the message {what}; it was not written by this build of Wool");
}
