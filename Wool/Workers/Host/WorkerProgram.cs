namespace Wool.Workers.Host;

/// <summary>
/// The entry point of a worker process: <c>dotnet exec [--runtimeconfig … --depsfile …] Wool.dll worker [options]</c>.
/// A pool starts it with the calling application's own dependency graph, so the worker loads
/// the same (woven) assemblies as the caller.
/// </summary>
internal static class WorkerProgram
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || args[0] != "worker")
        {
            Console.Error.WriteLine("Wool.dll is a library; run it as a worker from the application's output folder: dotnet exec --runtimeconfig <app>.runtimeconfig.json --depsfile <app>.deps.json Wool.dll worker --help");
            return 2;
        }

        if (args.AsSpan(1).ContainsAny("--help", "-h"))
        {
            Console.Out.Write(WorkerOptionTable.Help());
            return 0;
        }

        WorkerOptions options;
        try
        {
            options = WorkerOptions.Parse(args.AsSpan(1));
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }

        if (options.ExitWithParent && !ParentWatch.BindToParent(options.ParentProcessId))
        {
            // The pool died while this worker was starting: nobody will call it.
            return 0;
        }

        Stream stdin = Console.OpenStandardInput();
        if (options.TokensFromStdin)
        {
            try
            {
                options = options with
                {
                    AccessToken = Security.AccessToken.Parse(ParentWatch.ReadLine(stdin)),
                    OwnerToken = Security.AccessToken.Parse(ParentWatch.ReadLine(stdin)),
                };
            }
            catch (Exception e) when (e is FormatException or EndOfStreamException or InvalidDataException or IOException)
            {
                Console.Error.WriteLine($"--access-token-from-stdin: {e.Message}");
                return 2;
            }
        }

        try
        {
            return await WorkerHost.RunAsync(options, stdin).ConfigureAwait(false);
        }
        catch (UnsafeLocationException e)
        {
            Console.Error.WriteLine(e.Message);
            return 2;
        }
        catch (WorkerStartupException e)
        {
            // The application's own startup failed: its message is what the operator needs.
            Console.Error.WriteLine(e.ToString());
            return 2;
        }
        catch (Exception e) when (e is Microsoft.AspNetCore.Connections.AddressInUseException || e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
        {
            // A port taken by another process is the operator's to fix, not a crash.
            Console.Error.WriteLine($"Could not listen: {e.Message} Choose a free port for --listen or --health-listen.");
            return 2;
        }
    }
}
