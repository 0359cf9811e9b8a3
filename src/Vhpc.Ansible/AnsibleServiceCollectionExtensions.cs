using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Vhpc.Ansible;

public static class AnsibleServiceCollectionExtensions
{
    /// <summary>
    /// Plugs Ansible into the engine's configuration step (<see cref="IClusterConfiguration"/>). Needs the
    /// guests layer (AddVhpcGuests) for the cluster's key pair and known_hosts.
    /// </summary>
    public static IServiceCollection AddVhpcAnsibleConfiguration(this IServiceCollection services,
        Action<ClusterConfigurationOptions>? configure = null, Action<AnsibleRunnerOptions>? configureRunner = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddOptions<ClusterConfigurationOptions>().ValidateOnStart();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        var runner = services.AddOptions<AnsibleRunnerOptions>().ValidateOnStart();
        if (configureRunner is not null)
        {
            runner.Configure(configureRunner);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ClusterConfigurationOptions>, ClusterConfigurationOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AnsibleRunnerOptions>, AnsibleRunnerOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new AnsibleRunner(sp.GetRequiredService<ILogger<AnsibleRunner>>(),
            sp.GetRequiredService<IOptions<AnsibleRunnerOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        services.Replace(ServiceDescriptor.Singleton<IClusterConfiguration, AnsibleClusterConfiguration>());
        return services;
    }
}
