namespace Wool;

/// <summary>Walks an exception's chain of causes.</summary>
internal static class ExceptionCauses
{
    /// <summary>The exception itself, then each inner exception in turn.</summary>
    public static IEnumerable<Exception> Causes(this Exception exception)
    {
        for (Exception? cause = exception; cause is not null; cause = cause.InnerException)
        {
            yield return cause;
        }
    }
}
