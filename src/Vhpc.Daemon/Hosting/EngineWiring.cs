using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Vhpc.Ansible;
using Vhpc.Daemon.Clusters;
using Vhpc.Daemon.Configuration;
using Vhpc.Engine;
using Vhpc.Engine.Power;
using Vhpc.Guests;
using Vhpc.Provisioning.Connections;
using Vhpc.Provisioning.Images;

namespace Vhpc.Daemon.Hosting;

/// <summary>
/// Registers the real engine with all of its layers: the shared reconnecting libvirt connection, the
/// reconciler, guest readiness (leases, SSH) and the Ansible configuration step, all pointed at the
/// daemon's state directory, playbook and network namespace.
/// </summary>
internal static class EngineWiring
{
    public const string GuestsSection = GuestsOptions.SectionName;

    public static void AddClusterEngine(HostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.TryAddSingleton<IClusterSpecReader, ClusterSpecLoaderReader>();
        services.AddLibvirtConnections();
        // Section "Libvirt": keepalive and reconnect backoff of the shared connection.
        services.AddOptions<LibvirtConnectionOptions>().BindSettings(builder.Configuration, LibvirtConnectionOptions.SectionName, static (settings, options) => settings.Bind(options));
        services.AddVhpcEngine();
        // Section "Images": download retries and stall timeout; the cache itself lives in the state directory.
        services.AddOptions<BaseImageCacheOptions>()
            .BindSettings(builder.Configuration, BaseImageCacheOptions.SectionName, static (settings, options) => settings.Bind(options))
            .Configure<IOptions<VhpcdOptions>>((cache, vhpcd) => cache.CacheDirectory = Path.Combine(vhpcd.Value.StateDirectory, "images"));
        services.AddVhpcGuests();
        // Section "Guests" of vhpcd.json: lease and SSH timeouts, WaitForSsh (false: lease-only readiness).
        services.AddOptions<GuestsOptions>()
            .BindSettings(builder.Configuration, GuestsSection, static (settings, options) => settings.Bind(options))
            .Configure<IOptions<VhpcdOptions>>((guests, vhpcd) =>
            {
                guests.StateRoot = vhpcd.Value.ClusterStateRoot;
                guests.ConsoleTailLines = vhpcd.Value.ConsoleTailLines;
            });
        // The management domains of elastic clusters get their power channel under the runtime directory.
        services.AddOptions<PowerChannelOptions>()
            .Configure<IOptions<VhpcdOptions>>((channels, vhpcd) => channels.Directory = vhpcd.Value.PowerChannelDirectory);
        services.AddVhpcAnsibleConfiguration();
        // Section "Ansible": the ansible-playbook command, retries of unreachable hosts, SSH timeouts, forks.
        services.AddOptions<AnsibleRunnerOptions>().BindSettings(builder.Configuration, AnsibleRunnerOptions.SectionName, static (settings, options) => settings.Bind(options));
        services.AddOptions<ClusterConfigurationOptions>()
            .Configure<IOptions<VhpcdOptions>>((configuration, vhpcd) =>
            {
                configuration.PlaybookPath = vhpcd.Value.PlaybookPath;
                configuration.NetworkNamespace = vhpcd.Value.NetworkNamespace;
            });
    }
}
