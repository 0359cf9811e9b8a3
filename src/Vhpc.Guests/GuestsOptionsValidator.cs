using Microsoft.Extensions.Options;

namespace Vhpc.Guests;

/// <summary>
/// The field rules of <see cref="GuestsOptions"/> and its sections (data annotations, checked by
/// generated code) and the rules across fields, with the setting's path and the reason in each failure.
/// </summary>
internal sealed class GuestsOptionsValidator : IValidateOptions<GuestsOptions>
{
    public ValidateOptionsResult Validate(string? name, GuestsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new ValidateOptionsResultBuilder();
        builder.AddResult(new GuestsOptionsFieldValidator().Validate(name, options));
        if (!string.IsNullOrEmpty(options.StateRoot) && !Path.IsPathFullyQualified(options.StateRoot))
        {
            builder.AddError($"{GuestsOptions.SectionName}:{nameof(GuestsOptions.StateRoot)}: '{options.StateRoot}' must be an absolute path");
        }

        if (options.Ssh is { Checks: null })
        {
            builder.AddError($"{GuestsOptions.SectionName}:Ssh:Checks: the readiness checks are required");
        }

        if (options.Ssh is { } ssh && ssh.MaxDelay < ssh.InitialDelay)
        {
            builder.AddError($"{GuestsOptions.SectionName}:Ssh:{nameof(ssh.MaxDelay)}: must be at least Ssh:InitialDelay ({ssh.InitialDelay}), was {ssh.MaxDelay}");
        }

        return builder.Build();
    }
}

[OptionsValidator]
internal sealed partial class GuestsOptionsFieldValidator : IValidateOptions<GuestsOptions>;
