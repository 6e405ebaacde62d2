using BenchmarkDotNet.Running;
using Wool.Benchmarks;

// dotnet run -c Release --project Wool.Benchmarks                 the figures: Wool against the gRPC floor
// dotnet run -c Release --project Wool.Benchmarks -- --micro '*'  BenchmarkDotNet micro-benchmarks of the call path
// dotnet run -c Release --project Wool.Benchmarks -- --latency    sequential latency and its floor only (for A/B comparisons)
// dotnet run -c Release --project Wool.Benchmarks -- --local      local workers' Unix sockets against TCP loopback, paired
// dotnet run -c Release --project Wool.Benchmarks -- --telemetry  nobody listening against OpenTelemetry's SDK on caller and worker, paired
// dotnet run -c Release --project Wool.Benchmarks -- --memory     a worker's RSS idle, after a call that allocated 1 GiB, and once idle again
// dotnet run -c Release --project Wool.Benchmarks -- --cold [spawn [quorum]]      cold start only, split into phases (run it several times: each run is one sample)
// dotnet run -c Release --project Wool.Benchmarks -- --floors     Wool against the plain floors: a default gRPC server, a raw TCP pipelined server
// dotnet run -c Release --project Wool.Benchmarks -- --streams [s]  streams only: Wool's prefetched stream against gRPC's and Orleans' (or Wool's alone for s seconds, to profile)
// dotnet run -c Release --project Wool.Benchmarks -- --ship       shipped code: a generic worker's first call and later calls, against a worker in the application's folder
// (--floor-server, --default-floor-server, --tcp-floor-server, --orleans-server and --first-seconds-* are internal: the figures run start this program again as the raw gRPC server.)
if (args.Length > 0 && args[0] == "--floor-server")
{
    return await FloorServer.RunAsync();
}

if (args.Length > 0 && args[0] == "--default-floor-server")
{
    return await FloorServer.RunAsync(defaults: true);
}

if (args.Length > 0 && args[0] == "--tcp-floor-server")
{
    return await TcpFloor.ServeAsync();
}

if (args.Length > 0 && args[0] == "--orleans-server")
{
    return await OrleansFloor.ServeAsync();
}

if (args.Length > 0 && args[0] is FirstSeconds.WoolMode or FirstSeconds.GrpcMode or FirstSeconds.NewTypeMode)
{
    return await FirstSeconds.RunAsync(args[0]);
}

if (args.Length > 0 && args[0] == "--ship")
{
    return Print(await ShipFigures.RunAsync());
}

if (args.Length > 0 && args[0] == "--streams")
{
    return Print(await StreamFigures.RunAsync(args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : null));
}

if (args.Length > 0 && args[0] == "--floors")
{
    return Print(await FloorFigures.RunAsync());
}

if (args.Length > 0 && args[0] == "--latency")
{
    return await Figures.LatencyOnlyAsync();
}

if (args.Length > 0 && args[0] == "--local")
{
    return Print(await Figures.LocalTransportAsync());
}

if (args.Length > 0 && args[0] == "--telemetry")
{
    return Print(await TelemetryFigures.RunAsync());
}

if (args.Length > 0 && args[0] == "--memory")
{
    return Print(await MemoryFigures.RunAsync());
}

if (args.Length > 0 && args[0] == "--cold")
{
    return await Figures.ColdStartPhasesAsync(
        args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1,
        args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : null);
}

if (args.Length > 0 && args[0] == "--micro")
{
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args[1..]);
    return 0;
}

return await Figures.RunAsync();

// Prints a mode's figures as table rows.
static int Print(Figure[] figures)
{
    foreach (Figure figure in figures)
    {
        Console.WriteLine(figure.ToRow());
    }

    return 0;
}
