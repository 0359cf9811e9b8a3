using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vhpc.Guests.Keys;
using Vhpc.Provisioning.Connections;
using Vhpc.Provisioning.Images;
using Vhpc.Provisioning.Reconcile;
using Vhpc.Provisioning.Seeds;

namespace Vhpc.Provisioning;

public static class ProvisioningServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ClusterProvisioner"/> and its parts. Every seam is registered with TryAdd, so
    /// a host that registered its own first wins: <see cref="IConnectionSource"/> (the shared kept-alive
    /// connection of AddLibvirtConnections when registered, else one per operation),
    /// <see cref="ISeedBuilder"/>, <see cref="IBaseImageSource"/> (the download cache),
    /// <see cref="IAuthorizedKeySource"/> (the spec's key file unless the guests layer supplies the
    /// cluster's key pair) and <see cref="IVolumeUploader"/>.
    /// </summary>
    public static IServiceCollection AddVhpcProvisioning(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IConnectionSource>(sp => sp.GetService<SharedConnection>() ?? (IConnectionSource)new ConnectionPerOperation());
        services.TryAddSingleton<ISeedBuilder, NodeSeedBuilder>();
        services.TryAddSingleton<IAuthorizedKeySource, SpecKeyFileSource>();
        services.TryAddSingleton<IVolumeUploader, LibvirtStreamUploader>();
        services.AddOptions<BaseImageCacheOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BaseImageCacheOptions>, BaseImageCacheOptionsValidator>());
        // Downloads are bounded by the cache's stall timeout, not by a whole-request timeout.
        services.TryAddSingleton(sp => new BaseImageCache(new HttpClient { Timeout = Timeout.InfiniteTimeSpan },
            sp.GetRequiredService<IOptions<BaseImageCacheOptions>>().Value, sp.GetRequiredService<ILogger<BaseImageCache>>(),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IBaseImageSource>(sp => new CachedBaseImageSource(sp.GetRequiredService<BaseImageCache>()));
        services.TryAddSingleton<HostPlatformDetector>();
        services.TryAddSingleton<ClusterReconciler>();
        services.TryAddSingleton(sp => new ClusterProvisioner(sp.GetRequiredService<IConnectionSource>(), sp.GetRequiredService<HostPlatformDetector>(),
            sp.GetRequiredService<ClusterReconciler>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ClusterProvisioner>>()));
        return services;
    }
}
