using Microsoft.Extensions.Options;

namespace Vhpc.Engine.Connections;

/// <summary>Field rules from the data annotations (source-generated) plus the cross-field rule.</summary>
[OptionsValidator]
public sealed partial class LibvirtConnectionOptionsValidator : IValidateOptions<LibvirtConnectionOptions>
{
    /// <summary>Validates fields and that the backoff's cap is not below its start.</summary>
    public static ValidateOptionsResult ValidateAll(string? name, LibvirtConnectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ValidateOptionsResult fields = new LibvirtConnectionOptionsValidator().Validate(name, options);
        var builder = new ValidateOptionsResultBuilder();
        builder.AddResult(fields);
        if (options.RetryMaxDelay < options.RetryBaseDelay)
        {
            builder.AddError(
                $"must be at least RetryBaseDelay ({options.RetryBaseDelay}), was {options.RetryMaxDelay}",
                nameof(LibvirtConnectionOptions.RetryMaxDelay));
        }

        return builder.Build();
    }
}
