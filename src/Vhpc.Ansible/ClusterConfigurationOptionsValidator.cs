using Microsoft.Extensions.Options;

namespace Vhpc.Ansible;

/// <summary>The field rules of <see cref="ClusterConfigurationOptions"/> (generated) and an absolute playbook path.</summary>
internal sealed class ClusterConfigurationOptionsValidator : IValidateOptions<ClusterConfigurationOptions>
{
    public ValidateOptionsResult Validate(string? name, ClusterConfigurationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new ValidateOptionsResultBuilder();
        builder.AddResult(new ClusterConfigurationOptionsFieldValidator().Validate(name, options));
        if (!string.IsNullOrEmpty(options.PlaybookPath) && !Path.IsPathFullyQualified(options.PlaybookPath))
        {
            builder.AddError($"{nameof(ClusterConfigurationOptions.PlaybookPath)}: '{options.PlaybookPath}' must be an absolute path");
        }

        return builder.Build();
    }
}

[OptionsValidator]
internal sealed partial class ClusterConfigurationOptionsFieldValidator : IValidateOptions<ClusterConfigurationOptions>;
