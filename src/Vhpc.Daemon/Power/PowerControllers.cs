using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Vhpc.Daemon.Clusters;
using Vhpc.Engine.Power;

namespace Vhpc.Daemon.Power;

/// <summary>One <see cref="ClusterPowerController"/> per cluster, shared by the channel and the reconciler.</summary>
internal sealed class PowerControllers(ClusterRegistry registry, IClusterPowerEngine engine, ILogger<ClusterPowerController> logger)
{
    private readonly ConcurrentDictionary<string, ClusterPowerController> _controllers = new(StringComparer.Ordinal);

    public ClusterPowerController For(string cluster) =>
        _controllers.GetOrAdd(cluster, name => new ClusterPowerController(name, registry, engine, logger));
}
