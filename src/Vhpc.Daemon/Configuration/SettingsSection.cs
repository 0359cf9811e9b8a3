using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Vhpc.Daemon.Configuration;

/// <summary>
/// A section of vhpcd.json bound to an options class. Every bound section is recorded so that start-up
/// can bind each one once, before anything resolves its options: a value the binder cannot convert
/// ("LibvirtConnectTimeout": "banana") is then a settings error (exit 78, no restart loop) naming the
/// field, instead of an InvalidOperationException from deep inside the host (exit 1).
/// </summary>
public sealed record SettingsSection(string Name, Type OptionsType)
{
    /// <summary>The binder's message for every section whose values cannot be converted ("Failed to convert ... at 'Vhpcd:X' ...").</summary>
    public static IReadOnlyList<string> FindUnconvertible(IServiceProvider services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var failures = new List<string>();
        foreach (var section in services.GetServices<SettingsSection>())
        {
            try
            {
                configuration.GetSection(section.Name).Get(section.OptionsType);
            }
            catch (InvalidOperationException ex)
            {
                failures.Add(ex.Message);
            }
        }

        return failures;
    }
}

public static class SettingsSectionExtensions
{
    /// <summary>Binds the options to <paramref name="section"/> of the configuration and records the section for the start-up check.</summary>
    public static OptionsBuilder<TOptions> BindSettings<TOptions>(this OptionsBuilder<TOptions> options, IConfiguration configuration, string section)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(configuration);
        options.Services.AddSingleton(new SettingsSection(section, typeof(TOptions)));
        return options.Bind(configuration.GetSection(section));
    }
}
