namespace Wool.Serialization;

/// <summary>
/// MessagePack generates formatters on first use (hundreds of milliseconds). A pool and a
/// worker each warm the common ones in the background while processes start and connect, so
/// that the first call does not pay for it.
/// </summary>
internal static class SerializerWarmUp
{
    private static int s_started;

    public static void Start()
    {
        if (Interlocked.Exchange(ref s_started, 1) == 0)
        {
            _ = Task.Run(Run);
        }
    }

    private static void Run()
    {
        try
        {
            object?[] values = [null, 1, 2L, 3.5, "text", true, new byte[] { 1 }, Guid.Empty, DateTime.UnixEpoch, 1.5m, new List<int> { 1 }, new Dictionary<string, object?> { ["k"] = 1 }];
            foreach (object? value in values)
            {
                WoolSerializer.Deserialize(WoolSerializer.Serialize(value));
            }

            byte[] exception = WoolSerializer.SerializeException(new InvalidOperationException("warm-up", new ArgumentException("inner")));
            _ = MessagePack.MessagePackSerializer.Deserialize<Exception>(exception, WoolSerializer.Options);
        }
        catch (Exception)
        {
            // Warming is an optimization; the real call will report any real problem.
        }
    }
}
