using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Vhpc.Daemon.Clusters;
using Vhpc.Engine.Hosting;

namespace Vhpc.Daemon.Hosting;

/// <summary>
/// The seam where the product registers the real engine (IClusterEngine and its parts, see
/// AddVhpcEngine) and the reader over the engine's ClusterSpecLoader. Guests (readiness) and Ansible
/// (configuration) plug into the engine through its own TryAdd seams; register them here, before
/// AddVhpcEngine, when they are part of the build.
/// </summary>
public static class EngineWiring
{
    public static void AddClusterEngine(HostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<IClusterSpecReader, ClusterSpecLoaderReader>();
        builder.Services.AddVhpcEngine();
    }
}
