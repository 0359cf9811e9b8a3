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
/// <param name="Name">The section's key in the configuration ("Guests").</param>
/// <param name="BindOnce">Binds the section of the given configuration to a new options object; throws InvalidOperationException when a value cannot be converted.</param>
public sealed record SettingsSection(string Name, Action<IConfiguration> BindOnce)
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
                section.BindOnce(configuration);
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
    /// <summary>
    /// Binds the options to <paramref name="section"/> of the configuration with <paramref name="bind"/>
    /// and records the section for the start-up check. <paramref name="bind"/> is a lambda at the call
    /// site, <c>static (settings, options) =&gt; settings.Bind(options)</c>, where the options type is
    /// concrete: there the configuration binding source generator writes the binding code, which a
    /// generic method like this one would leave to reflection (not trim- or AOT-safe).
    /// </summary>
    public static OptionsBuilder<TOptions> BindSettings<TOptions>(this OptionsBuilder<TOptions> options, IConfiguration configuration, string section,
        Action<IConfiguration, TOptions> bind)
        where TOptions : class, new()
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(bind);
        options.Services.AddSingleton(new SettingsSection(section, root => bind(root.GetSection(section), new TOptions())));
        var settings = configuration.GetSection(section);
        return options.Configure(o => bind(settings, o));
    }
}
