using Microsoft.Extensions.Options;

namespace Wool.Hosting;

/// <summary>Checks <see cref="WoolOptions"/> when the host starts (<c>ValidateOnStart</c>), naming each setting at fault.</summary>
internal sealed class WoolOptionsValidation : IValidateOptions<WoolOptions>
{
    public ValidateOptionsResult Validate(string? name, WoolOptions options)
    {
        var (_, errors) = ApplicationPoolPlan.From(options, loggerFactory: null);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
