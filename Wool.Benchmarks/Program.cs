using BenchmarkDotNet.Running;

// Micro-benchmarks of the in-process hot path. Run: dotnet run -c Release --project Wool.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
