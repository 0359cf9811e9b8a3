using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Vhpc.Engine.Power;
using Vhpc.Guests;
using Vhpc.Provisioning;

namespace Vhpc.Engine;

public static class EngineServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IClusterEngine"/> over provisioning (AddVhpcProvisioning). Guest readiness
    /// (AddVhpcGuests) and configuration (AddVhpcAnsibleConfiguration) are added by the host; without
    /// them an apply stops after boot and says so.
    /// </summary>
    public static IServiceCollection AddVhpcEngine(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddVhpcProvisioning();
        services.TryAddSingleton<ClusterEngine>();
        // With the guests layer wired (AddVhpcGuests, in either order), destroy also removes the cluster's state directory.
        services.TryAddSingleton<IClusterEngine>(sp => sp.GetService<INodeReadiness>() is null
            ? sp.GetRequiredService<ClusterEngine>()
            : new ClusterStateCleaningEngine(sp.GetRequiredService<ClusterEngine>(), sp.GetRequiredService<IOptions<GuestsOptions>>()));
        // The same engine; null when a host registered an IClusterEngine of its own that handles no power.
        services.TryAddSingleton<IClusterPowerEngine>(sp => (sp.GetRequiredService<IClusterEngine>() as IClusterPowerEngine)!);
        return services;
    }
}
