using Microsoft.Extensions.Options;

namespace Vhpc.Ansible;

/// <summary>The field rules of <see cref="AnsibleRunnerOptions"/> (generated) and the rule across its delays.</summary>
internal sealed class AnsibleRunnerOptionsValidator : IValidateOptions<AnsibleRunnerOptions>
{
    public ValidateOptionsResult Validate(string? name, AnsibleRunnerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new ValidateOptionsResultBuilder();
        builder.AddResult(new AnsibleRunnerOptionsFieldValidator().Validate(name, options));
        if (options.MaxRetryDelay < options.RetryDelay)
        {
            builder.AddError($"{AnsibleRunnerOptions.SectionName}:{nameof(AnsibleRunnerOptions.MaxRetryDelay)}: must be at least RetryDelay ({options.RetryDelay}), was {options.MaxRetryDelay}");
        }

        return builder.Build();
    }
}

[OptionsValidator]
internal sealed partial class AnsibleRunnerOptionsFieldValidator : IValidateOptions<AnsibleRunnerOptions>;
