using Microsoft.Extensions.Options;

namespace Vhpc.Provisioning.Images;

/// <summary>The field rules of <see cref="BaseImageCacheOptions"/> (generated) and the rules across fields.</summary>
internal sealed class BaseImageCacheOptionsValidator : IValidateOptions<BaseImageCacheOptions>
{
    public ValidateOptionsResult Validate(string? name, BaseImageCacheOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new ValidateOptionsResultBuilder();
        builder.AddResult(new BaseImageCacheOptionsFieldValidator().Validate(name, options));
        if (!string.IsNullOrEmpty(options.CacheDirectory) && !Path.IsPathFullyQualified(options.CacheDirectory))
        {
            builder.AddError($"{BaseImageCacheOptions.SectionName}:{nameof(BaseImageCacheOptions.CacheDirectory)}: '{options.CacheDirectory}' must be an absolute path");
        }

        if (options.RetryMaxDelay < options.RetryBaseDelay)
        {
            builder.AddError($"{BaseImageCacheOptions.SectionName}:{nameof(BaseImageCacheOptions.RetryMaxDelay)}: must be at least RetryBaseDelay ({options.RetryBaseDelay}), was {options.RetryMaxDelay}");
        }

        return builder.Build();
    }
}

[OptionsValidator]
internal sealed partial class BaseImageCacheOptionsFieldValidator : IValidateOptions<BaseImageCacheOptions>;
