using Microsoft.Extensions.Hosting;

namespace Vhpc.Daemon.Hosting;

/// <summary>
/// The seam where the product registers the real engine: IClusterEngine and the
/// <see cref="Clusters.IClusterSpecReader"/> over the engine's ClusterSpecLoader.
/// </summary>
public static class EngineWiring
{
    public static void AddClusterEngine(HostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);

        // Filled in when the engine branch lands (ClusterSpecLoader, the reconciler); until then vhpcd
        // refuses to start with "Unable to resolve service for type IClusterEngine".
    }
}
