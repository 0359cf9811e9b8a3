using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vhpc.Guests;
using Vhpc.Guests.Keys;
using Vhpc.Provisioning;
using Vhpc.Provisioning.Connections;
using Vhpc.Provisioning.Images;
using Vhpc.Provisioning.Reconcile;
using Vhpc.Provisioning.Seeds;

namespace Vhpc.Engine;

public static class EngineServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IClusterEngine"/> and its parts. Every seam is registered with TryAdd, so a
    /// host that registered its own first wins: <see cref="IConnectionSource"/> (a shared kept-alive
    /// connection), <see cref="INodeReadiness"/> and <see cref="IClusterConfiguration"/> (guests and
    /// Ansible; without them apply stops after boot and says so), <see cref="ISeedBuilder"/>,
    /// <see cref="IBaseImageSource"/>, <see cref="IAuthorizedKeySource"/>, <see cref="IVolumeUploader"/>.
    /// </summary>
    public static IServiceCollection AddVhpcEngine(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        // The shared connection (AddLibvirtConnections) when the host registered it, else one per operation.
        services.TryAddSingleton<IConnectionSource>(sp => sp.GetService<SharedConnection>() ?? (IConnectionSource)new ConnectionPerOperation());
        services.TryAddSingleton<ISeedBuilder, NodeSeedBuilder>();
        services.TryAddSingleton<IAuthorizedKeySource, SpecKeyFileSource>();
        services.TryAddSingleton<IVolumeUploader, LibvirtStreamUploader>();
        // Downloads are bounded by the cache's stall timeout, not by a whole-request timeout.
        services.AddOptions<BaseImageCacheOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BaseImageCacheOptions>, BaseImageCacheOptionsValidator>());
        services.TryAddSingleton(sp => new BaseImageCache(new HttpClient { Timeout = Timeout.InfiniteTimeSpan },
            sp.GetRequiredService<IOptions<BaseImageCacheOptions>>().Value, sp.GetRequiredService<ILogger<BaseImageCache>>(),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IBaseImageSource>(sp => new CachedBaseImageSource(sp.GetRequiredService<BaseImageCache>()));
        services.TryAddSingleton<HostPlatformDetector>();
        services.TryAddSingleton<ClusterReconciler>();
        services.TryAddSingleton<ClusterProvisioner>();
        services.TryAddSingleton<ClusterEngine>();
        // With the guests layer wired (AddVhpcGuests, in either order), destroy also removes the cluster's state directory.
        services.TryAddSingleton<IClusterEngine>(sp => sp.GetService<INodeReadiness>() is null
            ? sp.GetRequiredService<ClusterEngine>()
            : new ClusterStateCleaningEngine(sp.GetRequiredService<ClusterEngine>(), sp.GetRequiredService<IOptions<GuestsOptions>>()));
        return services;
    }
}
