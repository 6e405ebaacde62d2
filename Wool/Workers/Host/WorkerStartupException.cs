namespace Wool.Workers.Host;

/// <summary>The application's <see cref="IWorkerStartup"/> threw: the worker does not start, and says why.</summary>
internal sealed class WorkerStartupException(string message, Exception innerException) : WoolException(message, innerException);
