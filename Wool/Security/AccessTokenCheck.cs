using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Wool.Security;

/// <summary>
/// A worker's check of every request (calls, status, stop) for its access token, before gRPC
/// reads anything of it. A request without the token gets <c>Unauthenticated</c> and is logged;
/// nothing it sent is parsed, so nothing runs.
/// </summary>
internal sealed class AccessTokenCheck(AccessToken token, ILogger logger)
{
    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (token.Matches(context.Request.Headers[AccessToken.Header]))
        {
            return next(context);
        }

        SecurityLog.AccessTokenRefused(logger, context.Connection.RemoteIpAddress?.ToString() ?? "a local socket", context.Request.Path);
        // Before any gRPC response starts: a caller sees the call fail Unauthenticated as soon as it connects.
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        return Task.CompletedTask;
    }
}
