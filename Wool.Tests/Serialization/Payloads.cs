namespace Wool.Tests.Serialization;

public class Animal
{
    public string Name { get; set; } = "";
}

public class Dog : Animal
{
    public bool GoodBoy { get; set; }
}

public sealed class Puppy : Dog
{
    public int AgeInWeeks { get; set; }
}

public sealed class Shelter
{
    public Animal? Resident { get; set; }

    public List<Animal> Waiting { get; set; } = [];
}

public sealed class Node
{
    public int Value { get; set; }

    public Node? Next { get; set; }
}

public enum Priority : short
{
    Low = -1,
    High = 7,
}

public sealed record Customer(string Name, Priority Priority, DateTime Since, Guid Id, decimal Balance, int? Age, DateTimeOffset LastSeen, TimeSpan Patience);

public sealed class Envelope
{
    public CancellationToken Token { get; set; }
}

public sealed class OrderRejectedException(string message, int code, Exception? inner) : Exception(message, inner)
{
    public int Code { get; } = code;

    public List<string> Reasons { get; } = [];
}

/// <summary>An exception whose state cannot be copied: it must arrive as a RemoteException.</summary>
public sealed class CallbackException(string message) : Exception(message)
{
    public Action Callback { get; } = () => { };
}
