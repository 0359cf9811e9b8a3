using Microsoft.Extensions.Logging;

namespace Vhpc.Engine;

/// <summary>
/// The orchestrator's log events. Ids are in the engine's range 2000-2999, which it shares with
/// provisioning (see Reconcile/Log.cs); placeholders become journald fields.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2006, Level = LogLevel.Information,
        Message = "Cluster {Cluster}: apply finished in {Seconds:F1} s, succeeded {Succeeded}")]
    public static partial void ApplyFinished(ILogger logger, string cluster, double seconds, bool succeeded);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Warning,
        Message = "Cluster {Cluster}: node {Node} failed: {Error}")]
    public static partial void NodeFailed(ILogger logger, string cluster, string node, string error);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Information,
        Message = "Cluster {Cluster}: {Step} is not wired into this engine; skipped")]
    public static partial void StepNotWired(ILogger logger, string cluster, string step);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Warning,
        Message = "Cluster {Cluster}: workers {Workers} leaving the cluster were not drained in Slurm, removed anyway: {Reason}")]
    public static partial void DrainFailed(ILogger logger, string cluster, string workers, string reason);

    [LoggerMessage(EventId = 2110, Level = LogLevel.Information,
        Message = "Cluster {Cluster}: resumed node {Node} is configured alone ({Reason})")]
    public static partial void ConfiguringResumedNode(ILogger logger, string cluster, string node, string reason);

    [LoggerMessage(EventId = 2111, Level = LogLevel.Warning,
        Message = "Cluster {Cluster}: {Command} on the management node failed (exit {ExitStatus}): {Reason}")]
    public static partial void ManagementCommandFailed(ILogger logger, string cluster, string command, int exitStatus, string reason);
}
