using Microsoft.Extensions.Options;

namespace Vhpc.Provisioning.Connections;

/// <summary>The field rules (data annotations, source-generated) plus the cross-field rule.</summary>
internal sealed class LibvirtConnectionOptionsValidator : IValidateOptions<LibvirtConnectionOptions>
{
    public ValidateOptionsResult Validate(string? name, LibvirtConnectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new ValidateOptionsResultBuilder();
        builder.AddResult(new LibvirtConnectionOptionsFieldValidator().Validate(name, options));
        if (options.RetryMaxDelay < options.RetryBaseDelay)
        {
            builder.AddError(
                $"must be at least RetryBaseDelay ({options.RetryBaseDelay}), was {options.RetryMaxDelay}",
                nameof(LibvirtConnectionOptions.RetryMaxDelay));
        }

        return builder.Build();
    }
}

[OptionsValidator]
internal sealed partial class LibvirtConnectionOptionsFieldValidator : IValidateOptions<LibvirtConnectionOptions>;
