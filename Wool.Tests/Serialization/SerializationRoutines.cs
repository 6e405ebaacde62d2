namespace Wool.Tests.Serialization;

/// <summary>Routines that report what arrived, so tests can compare both sides of the wire.</summary>
internal static class SerializationRoutines
{
    [Routine]
    public static async Task<object?> Echo(object? value)
    {
        await Task.Yield();
        return value;
    }

    [Routine]
    public static async Task<string> DescribeAnimal(Animal animal)
    {
        await Task.Yield();
        return animal.GetType().Name;
    }

    [Routine]
    public static async Task<Shelter> EchoShelter(Shelter shelter)
    {
        await Task.Yield();
        return shelter;
    }

    [Routine]
    public static async Task<Animal> Adopt(string name)
    {
        await Task.Yield();
        return new Puppy { Name = name, GoodBoy = true, AgeInWeeks = 9 };
    }

    [Routine]
    public static async Task<int> Length(Node node)
    {
        await Task.Yield();
        int length = 0;
        for (Node? n = node; n is not null; n = n.Next)
        {
            length++;
        }

        return length;
    }

    [Routine]
    public static async Task<Node> MakeCycle()
    {
        await Task.Yield();
        var node = new Node { Value = 1 };
        node.Next = node;
        return node;
    }

    [Routine]
    public static async Task<int> Call(Func<int> callback)
    {
        await Task.Yield();
        return callback();
    }

    [Routine]
    public static async Task<long> Measure(Stream stream)
    {
        await Task.Yield();
        return stream.Length;
    }

    [Routine]
    public static async Task<bool> Open(Envelope envelope)
    {
        await Task.Yield();
        return envelope.Token.CanBeCanceled;
    }

    [Routine]
    public static async Task<string> WaitForCancellation(string label, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return label;
        }
        finally
        {
            Interlocked.Increment(ref s_finallyRuns);
        }
    }

    public static int FinallyRuns => Volatile.Read(ref s_finallyRuns);

    private static int s_finallyRuns;

    [Routine]
    public static async Task ThrowRejected(int code)
    {
        await Task.Yield();
        var exception = new OrderRejectedException($"Order rejected with code {code}.", code, new InvalidOperationException("Out of stock."));
        exception.Reasons.Add("stock");
        exception.Reasons.Add("credit");
        exception.Data["order"] = 42;
        exception.Data["customer"] = "acme";
        throw exception;
    }

    [Routine]
    public static async Task ThrowWithCallback()
    {
        await Task.Yield();
        throw new CallbackException("Cannot carry my callback.");
    }

    [Routine]
    public static async Task<Func<int>> ReturnDelegate()
    {
        await Task.Yield();
        return () => 1;
    }
}
