using System.Buffers;
using BenchmarkDotNet.Attributes;
using MessagePack;
using Wool.Serialization;

namespace Wool.Benchmarks;

/// <summary>
/// The cost of copying an object field by field (private fields set by a constructor, created on
/// arrival without one) against the same object with a MessagePack contract
/// (<c>[MessagePackObject]</c>, MessagePack's generated formatter), both through Wool's serializer
/// as a call's argument travels (typeless, in a message), and the contract type through plain
/// MessagePack as the floor. Sizes are printed at setup and recorded in BENCHMARKS.md.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(InProcessConfig))]
public class ObjectCopyBenchmarks
{
    private static readonly MessagePackSerializerOptions Plain = MessagePackSerializerOptions.Standard;

    private readonly FieldOrder _fields = new(42, 638_000_000_000_000_000, 0.75, "Ada Lovelace", "ada@example.org", Guid.NewGuid(), new DateTime(2026, 11, 30, 12, 0, 0, DateTimeKind.Utc), true, 1234.56m, "EUR");
    private readonly KeyOrder _keyed = new(42, 638_000_000_000_000_000, 0.75, "Ada Lovelace", "ada@example.org", Guid.NewGuid(), new DateTime(2026, 11, 30, 12, 0, 0, DateTimeKind.Utc), true, 1234.56m, "EUR");
    private byte[] _fieldBytes = null!;
    private byte[] _keyedBytes = null!;
    private byte[] _plainBytes = null!;

    [GlobalSetup]
    public void Setup()
    {
        _fieldBytes = WoolSerializer.Serialize(_fields);
        _keyedBytes = WoolSerializer.Serialize(_keyed);
        _plainBytes = MessagePackSerializer.Serialize(_keyed, Plain);
        if (((FieldOrder)WoolSerializer.Deserialize(_fieldBytes)!).Describe() != _fields.Describe())
        {
            throw new InvalidOperationException("The field-by-field copy differs from the original.");
        }

        Console.WriteLine($"// sizes: field by field {_fieldBytes.Length} B, contract through Wool {_keyedBytes.Length} B, contract through MessagePack alone {_plainBytes.Length} B; " +
                          $"bodies without the type name: {Body(_fieldBytes)} B and {Body(_keyedBytes)} B");
    }

    [Benchmark(Description = "serialize: field by field (Wool)")]
    public int SerializeFields() => WoolSerializer.Serialize(_fields).Length;

    [Benchmark(Baseline = true, Description = "serialize: [MessagePackObject] (Wool)")]
    public int SerializeKeyed() => WoolSerializer.Serialize(_keyed).Length;

    [Benchmark(Description = "serialize: [MessagePackObject] (MessagePack alone)")]
    public int SerializePlain() => MessagePackSerializer.Serialize(_keyed, Plain).Length;

    [Benchmark(Description = "deserialize: field by field (Wool)")]
    public object? DeserializeFields() => WoolSerializer.Deserialize(_fieldBytes);

    [Benchmark(Description = "deserialize: [MessagePackObject] (Wool)")]
    public object? DeserializeKeyed() => WoolSerializer.Deserialize(_keyedBytes);

    [Benchmark(Description = "deserialize: [MessagePackObject] (MessagePack alone)")]
    public object? DeserializePlain() => MessagePackSerializer.Deserialize<KeyOrder>(_plainBytes, Plain);

    /// <summary>The bytes of a typeless value after its type name (what differs between the two formats).</summary>
    private static long Body(byte[] typeless)
    {
        var reader = new MessagePackReader(typeless);
        reader.ReadExtensionFormatHeader();
        reader.Skip();
        return typeless.Length - reader.Consumed;
    }
}

/// <summary>Ten fields, private, set by a constructor: the everyday shape Wool copies field by field.</summary>
public sealed class FieldOrder(int id, long ticks, double score, string name, string email, Guid key, DateTime created, bool active, decimal balance, string currency)
{
    private readonly int _id = id;
    private readonly long _ticks = ticks;
    private readonly double _score = score;
    private readonly string _name = name;
    private readonly string _email = email;
    private readonly Guid _key = key;
    private readonly DateTime _created = created;
    private readonly bool _active = active;
    private readonly decimal _balance = balance;
    private readonly string _currency = currency;

    public string Describe() => $"{_id} {_ticks} {_score} {_name} {_email} {_key} {_created:O} {_active} {_balance} {_currency}";
}

/// <summary>The same ten fields with a MessagePack contract (integer keys, the compact form).</summary>
[MessagePackObject]
public sealed class KeyOrder(int id, long ticks, double score, string name, string email, Guid key, DateTime created, bool active, decimal balance, string currency)
{
    [Key(0)] public int Id { get; } = id;
    [Key(1)] public long Ticks { get; } = ticks;
    [Key(2)] public double Score { get; } = score;
    [Key(3)] public string Name { get; } = name;
    [Key(4)] public string Email { get; } = email;
    [Key(5)] public Guid Key { get; } = key;
    [Key(6)] public DateTime Created { get; } = created;
    [Key(7)] public bool Active { get; } = active;
    [Key(8)] public decimal Balance { get; } = balance;
    [Key(9)] public string Currency { get; } = currency;
}
