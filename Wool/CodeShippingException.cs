namespace Wool;

/// <summary>
/// A worker that accepts shipped code could not get or load the code a call needs: the caller may
/// not ship code to it, refused to send an assembly, sent one that does not match its build id or
/// hash, or sent more than the worker's limits. The message names the assembly and the reason. The
/// call was not executed; the worker keeps serving.
/// </summary>
public sealed class CodeShippingException : WoolException
{
    /// <summary>Creates the exception.</summary>
    public CodeShippingException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public CodeShippingException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
