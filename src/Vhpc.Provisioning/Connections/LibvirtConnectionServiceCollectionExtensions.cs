using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Vhpc.Provisioning.Connections;

public static class LibvirtConnectionServiceCollectionExtensions
{
    /// <summary>
    /// Registers the process's <see cref="SharedConnection"/> with its options, validated when the host
    /// starts; the engine then borrows it (AddVhpcEngine) instead of opening a connection per operation.
    /// </summary>
    public static IServiceCollection AddLibvirtConnections(
        this IServiceCollection services, Action<LibvirtConnectionOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<LibvirtConnectionOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LibvirtConnectionOptions>, LibvirtConnectionOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SharedConnection>();
        return services;
    }
}
