using Microsoft.Extensions.Logging.Abstractions;
using F = Wool.Tests.Fixtures;

namespace Wool.Tests.Serialization;

/// <summary>
/// What cannot travel is refused at the caller, before any worker is contacted, naming the
/// routine, the parameter or captured variable, the field path and its type, and a remedy;
/// MessagePack's internals never reach the message.
/// </summary>
[TestClass]
public sealed class ObjectRefusalTests
{
    [TestMethod]
    public async Task This_WithALoggerField_IsRefusedNamingTheField()
    {
        await using var pool = new InProcessPool();
        var service = new F.WeatherService(null!, NullLogger<F.WeatherService>.Instance);

        var error = await Assert.ThrowsExactlyAsync<WoolSerializationException>(() => service.Forecast(1).WaitAsync(Timeouts.Default));

        Assert.AreEqual(
            "Could not send 'this' of routine 'WeatherService.Forecast': field 'WeatherService._logger' (NullLogger<WeatherService>) is bound to this process: " +
            "a logger writes to this process's log providers. Mark it [NonSerialized] or pass what the routine needs as an argument (log on the worker through a logger of its own).",
            error.Message);
        Assert.AreEqual(0, pool.CallCount);
        Assert.IsFalse(error.Message.Contains("Cache`1", StringComparison.Ordinal) || error.Message.Contains("TypeInitialization", StringComparison.Ordinal));
    }

    [TestMethod]
    public async Task CapturedHttpClient_IsRefusedAsTheHttpClientItIs()
    {
        await using var pool = new InProcessPool();
        using var http = new HttpClient();
        Func<Task<int>> routine = [Routine] async () =>
        {
            await Task.Yield();
            return http.Timeout.Seconds;
        };

        var error = await Assert.ThrowsExactlyAsync<WoolSerializationException>(() => routine().WaitAsync(Timeouts.Default));

        StringAssert.StartsWith(error.Message,
            "Could not send captured variable 'http' (HttpClient) of routine 'lambda in ObjectRefusalTests.CapturedHttpClient_IsRefusedAsTheHttpClientItIs': " +
            "it is bound to this process: an HTTP client holds this process's connections. Create the client on the worker (a static one, or IHttpClientFactory).");
    }

    [TestMethod]
    public async Task FieldReachedThroughOthers_IsNamedWithThePathToIt()
    {
        await using var pool = new InProcessPool();
        var holder = new Holder { Inner = new Inner { Gate = new SemaphoreSlim(1) } };

        var error = await Assert.ThrowsExactlyAsync<WoolSerializationException>(() => F.ObjectRoutines.Echo(holder).WaitAsync(Timeouts.Default));

        Assert.AreEqual(
            "Could not send argument 'value' of routine 'ObjectRoutines.Echo': field 'ObjectRefusalTests.Inner.Gate' (SemaphoreSlim), reached through 'ObjectRefusalTests.Holder.Inner', is bound to this process: " +
            "a lock or semaphore coordinates this process's threads. Mark it [NonSerialized] or pass what the routine needs as an argument (create one where it is used).",
            error.Message);
    }

    [TestMethod]
    public async Task ElementOfACollection_IsNamedAsHeldByTheArgument()
    {
        await using var pool = new InProcessPool();
        using var stream = new MemoryStream();

        var error = await Assert.ThrowsExactlyAsync<WoolSerializationException>(() => F.ObjectRoutines.Echo(new List<object> { "a", stream }).WaitAsync(Timeouts.Default));

        Assert.AreEqual(
            "Could not send argument 'value' of routine 'ObjectRoutines.Echo' (List<object>): it holds a 'MemoryStream', which is bound to this process: streams and sockets are live I/O. " +
            "Pass the bytes (byte[]) or an address to open on the worker.",
            error.Message);
        Assert.IsNotInstanceOfType<Wool.Serialization.Types.ValueRefusedException>(error.InnerException, "Wool's internal refusal stays out of the exception a worker would send back.");
    }

    [TestMethod]
    public async Task FrameworkTypeWithoutAFormat_IsRefusedAsSuchNotAsAServiceContainer()
    {
        await using var pool = new InProcessPool();
        using var table = new System.Data.DataTable("orders");

        var error = await Assert.ThrowsExactlyAsync<WoolSerializationException>(() => F.ObjectRoutines.Echo(table).WaitAsync(Timeouts.Default));

        Assert.AreEqual(
            "Could not send argument 'value' of routine 'ObjectRoutines.Echo' (DataTable): it is a framework type Wool has no format for, and Wool does not copy a framework type's internals " +
            "(they may hold this process's resources). Pass the data it holds instead.",
            error.Message);
    }

    [TestMethod]
    public async Task NativeInteger_TravelsAsANumber()
    {
        await using var pool = new InProcessPool();

        Assert.AreEqual((nint)12345, await F.ObjectRoutines.Echo((nint)12345).WaitAsync(Timeouts.Default));
    }

    public sealed class Holder
    {
        public Inner? Inner { get; set; }
    }

    public sealed class Inner
    {
        public SemaphoreSlim? Gate { get; set; }
    }
}
