using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Vhpc.Guests.Addresses;
using Vhpc.Guests.Checks;
using Vhpc.Guests.Keys;
using Vhpc.Guests.Ssh;

namespace Vhpc.Guests;

public static class GuestsServiceCollectionExtensions
{
    /// <summary>
    /// Wires the guests layer into the engine: lease and SSH readiness (<see cref="INodeReadiness"/>),
    /// the per-cluster key pair (<see cref="IAuthorizedKeySource"/>), SSH commands
    /// (<see cref="ISshCommandRunner"/>), SSH and configuration for status (<see cref="IGuestStatusSource"/>), `vhpc check` (<see cref="IClusterChecker"/>);
    /// with readiness wired, the engine also removes a destroyed cluster's state directory.
    /// Call after AddVhpcEngine (it replaces the engine's defaults).
    /// </summary>
    public static IServiceCollection AddVhpcGuests(this IServiceCollection services, Action<GuestsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var builder = services.AddOptions<GuestsOptions>().ValidateOnStart();
        if (configure is not null)
        {
            builder.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GuestsOptions>, GuestsOptionsValidator>());

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<GuestsOptions>>().Value.SshConnect);
        services.TryAddSingleton<ISshConnector, SshNetConnector>();
        services.TryAddSingleton<ISshCommandRunner, SshCommandRunner>();
        services.TryAddSingleton(sp => sp.GetRequiredService<IOptions<GuestsOptions>>().Value.Checks);
        services.TryAddSingleton<IClusterChecker, ClusterChecker>();
        services.TryAddSingleton<ClusterKeySource>();
        services.TryAddSingleton<ITcpProbe, TcpProbe>();
        services.TryAddSingleton<IAddressProbe, TcpAddressProbe>();
        services.TryAddSingleton<INeighbourTable>(new ProcNetArpTable());
        services.Replace(ServiceDescriptor.Singleton<IGuestStatusSource, GuestStatusProbe>());
        services.Replace(ServiceDescriptor.Singleton<IAuthorizedKeySource>(sp => sp.GetRequiredService<ClusterKeySource>()));
        services.Replace(ServiceDescriptor.Singleton<INodeReadiness, GuestNodeReadiness>());
        return services;
    }
}
