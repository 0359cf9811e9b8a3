using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Vhpc.Provisioning.Connections;

public static class LibvirtConnectionServiceCollectionExtensions
{
    /// <summary>
    /// Registers the one <see cref="ILibvirtConnectionProvider"/> of the process with its options,
    /// validated when the host starts.
    /// </summary>
    public static IServiceCollection AddLibvirtConnections(
        this IServiceCollection services, Action<LibvirtConnectionOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<LibvirtConnectionOptions> options = services.AddOptions<LibvirtConnectionOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LibvirtConnectionOptions>, LibvirtConnectionOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<LibvirtConnectionProvider>();
        services.TryAddSingleton<ILibvirtConnectionProvider>(sp => sp.GetRequiredService<LibvirtConnectionProvider>());
        return services;
    }
}
