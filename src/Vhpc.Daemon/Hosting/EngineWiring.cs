using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Vhpc.Daemon.Clusters;
using Vhpc.Daemon.Configuration;
using Vhpc.Engine.Connections;
using Vhpc.Engine.Guests;
using Vhpc.Engine.Hosting;
using Vhpc.Engine.Images;

namespace Vhpc.Daemon.Hosting;

/// <summary>
/// Registers the real engine with all of its layers: the shared reconnecting libvirt connection, the
/// reconciler, guest readiness (leases, SSH) and the Ansible configuration step, all pointed at the
/// daemon's state directory, playbook and network namespace.
/// </summary>
public static class EngineWiring
{
    public const string GuestsSection = "Guests";

    public static void AddClusterEngine(HostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.TryAddSingleton<IClusterSpecReader, ClusterSpecLoaderReader>();
        services.AddLibvirtConnections();
        services.AddVhpcEngine();
        services.AddOptions<BaseImageCacheOptions>()
            .Configure<IOptions<VhpcdOptions>>((cache, vhpcd) => cache.CacheDirectory = Path.Combine(vhpcd.Value.StateDirectory, "images"));
        services.AddVhpcGuests();
        // Section "Guests" of vhpcd.json: lease and SSH timeouts, WaitForSsh (false: lease-only readiness).
        services.AddOptions<GuestsOptions>()
            .BindSettings(builder.Configuration, GuestsSection)
            .Configure<IOptions<VhpcdOptions>>((guests, vhpcd) => guests.StateRoot = vhpcd.Value.ClusterStateRoot);
        services.AddVhpcAnsibleConfiguration();
        services.AddOptions<ClusterConfigurationOptions>()
            .Configure<IOptions<VhpcdOptions>>((configuration, vhpcd) =>
            {
                configuration.PlaybookPath = vhpcd.Value.PlaybookPath;
                configuration.NetworkNamespace = vhpcd.Value.NetworkNamespace;
            });
    }
}
