using Wool;
using Wool.Samples.Web;

var builder = WebApplication.CreateBuilder(args);

// The application's worker pool: started with the app (from the "Wool" section of
// appsettings.json), stopped with it, used by every handler below, and checked by /health.
builder.Services.AddWool();

var app = builder.Build();

app.MapGet("/add", (int x, int y) => Calculator.Add(x, y));

// A routine's stream, sent to the client as a JSON array while the worker produces it.
app.MapGet("/squares/{count:int}", (int count) => Calculator.Squares(count));

// Where a call runs: a worker process, not this one.
app.MapGet("/where", async () => new Placement(Environment.ProcessId, await Calculator.ProcessId()));

// A call made from a thread-pool callback, outside any request's flow, also finds the application's pool.
app.MapGet("/from-thread-pool", () =>
{
    var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
    ThreadPool.UnsafeQueueUserWorkItem(async _ =>
    {
        try
        {
            done.SetResult(await Calculator.ProcessId());
        }
        catch (Exception e)
        {
            done.SetException(e);
        }
    }, null);
    return done.Task;
});

// A narrower pool wins within its scope: this call runs in this process, in an InProcessPool.
app.MapGet("/scoped", async () =>
{
    await using var local = new InProcessPool();
    return await Calculator.ProcessId();
});

app.MapHealthChecks("/health");

app.Run();
