namespace Wool;

/// <summary>
/// Stands in for an exception a routine threw whose type cannot be rebuilt in this process (the
/// type is not loadable here, or some of its state cannot be copied). It keeps everything that
/// could be carried: the original type name, message, <see cref="Exception.Data"/>, inner
/// exception and remote stack trace (shown by <see cref="Exception.ToString"/>).
/// </summary>
public sealed class RemoteException : WoolException
{
    internal RemoteException(string remoteTypeName, string? remoteMessage, string reason, Exception? innerException)
        : base($"The routine threw '{remoteTypeName}', which could not be rebuilt here ({reason}): {remoteMessage}", innerException)
    {
        RemoteTypeName = remoteTypeName;
        RemoteMessage = remoteMessage;
        Reason = reason;
    }

    /// <summary>The assembly-qualified name of the exception type the routine threw.</summary>
    public string RemoteTypeName { get; }

    /// <summary>The original exception's message.</summary>
    public string? RemoteMessage { get; }

    /// <summary>Why the original type could not be rebuilt.</summary>
    public string Reason { get; }
}
