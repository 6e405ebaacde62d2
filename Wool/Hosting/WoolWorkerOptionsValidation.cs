using Microsoft.Extensions.Options;
using Wool.Workers.Host;

namespace Wool.Hosting;

/// <summary>
/// Checks <see cref="WoolWorkerOptions"/> by the worker command's own rules when the host starts,
/// before any hosted service (so before the application's pool spawns workers), and names each
/// setting as configuration spells it (<c>WoolWorker:Namespace</c>, not <c>--namespace</c>).
/// </summary>
internal sealed class WoolWorkerOptionsValidation : IValidateOptions<WoolWorkerOptions>
{
    private static readonly (string Flag, string Setting)[] Settings =
    [
        ("--tls-caller-identity", "WoolWorker:Tls:CallerIdentities"), ("--tls-worker-identity", "WoolWorker:Tls:WorkerIdentity"),
        ("--tls-authority", "WoolWorker:Tls:Authority"), ("--tls-certificate", "WoolWorker:Tls:Certificate"), ("--tls-key", "WoolWorker:Tls:Key"),
        ("--tls-one-way", "WoolWorker:Tls:Mutual=false"), ("--insecure-listen-on-network", "WoolWorker:InsecureListenOnNetwork"),
        ("--access-token-file", "WoolWorker:AccessTokenFile"), ("--allow-type", "WoolWorker:AllowedTypes"), ("--grace-period", "WoolWorker:GracePeriod"),
        ("--discovery", "WoolWorker:Discovery"), ("--namespace", "WoolWorker:Namespace"), ("--listen", "WoolWorker:Listen"), ("--tag", "WoolWorker:Tags"),
        ("--max-", "WoolWorker:Limits:Max-"),
    ];

    public ValidateOptionsResult Validate(string? name, WoolWorkerOptions options)
    {
        try
        {
            _ = WorkerCommandLine.Parse([.. options.ToArguments()], static _ => null);
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException e)
        {
            return ValidateOptionsResult.Fail(InSettings(e.Message));
        }
    }

    /// <summary>A worker command message, with its flags named as the settings that set them.</summary>
    public static string InSettings(string message)
    {
        foreach (var (flag, setting) in Settings)
        {
            message = message.Replace(flag, setting, StringComparison.Ordinal);
        }

        return message;
    }
}
