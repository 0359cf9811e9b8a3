using Microsoft.Extensions.Logging;
using Vhpc.Engine.Progress;

namespace Vhpc.Engine.Telemetry;

/// <summary>
/// The logging scopes every layer opens around its work, defined once: their placeholders become the
/// journal fields VHPC_CLUSTER, VHPC_NODE and VHPC_STEP of everything logged inside.
/// </summary>
public static class LogScopes
{
    private static readonly Func<ILogger, string, IDisposable?> ClusterScopeDefinition =
        LoggerMessage.DefineScope<string>("Cluster {Cluster}");

    private static readonly Func<ILogger, string, IDisposable?> StepScopeDefinition =
        LoggerMessage.DefineScope<string>("Step {Step}");

    private static readonly Func<ILogger, string, string, IDisposable?> NodeStepScopeDefinition =
        LoggerMessage.DefineScope<string, string>("Node {Node} step {Step}");

    /// <summary>Everything logged during one apply or destroy, by any layer, carries the cluster.</summary>
    public static IDisposable? Cluster(ILogger logger, string cluster) => ClusterScopeDefinition(logger, cluster);

    /// <summary>A step of one node (node set) or of the whole cluster (node null).</summary>
    public static IDisposable? Step(ILogger logger, string? node, ProvisioningStep step) => node is null
        ? StepScopeDefinition(logger, step.ToString().ToLowerInvariant())
        : NodeStepScopeDefinition(logger, node, step.ToString().ToLowerInvariant());
}
