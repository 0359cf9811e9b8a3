using Microsoft.Extensions.Logging;

namespace Vhpc.Daemon.Power;

/// <summary>The power channel's and the power reconciler's events (4600-4639); placeholders become journald fields.</summary>
internal static partial class Log
{
    [LoggerMessage(4600, LogLevel.Information, "Cluster {Cluster}: power channel connected ({Path})")]
    public static partial void ChannelConnected(ILogger logger, string cluster, string path);

    [LoggerMessage(4601, LogLevel.Information, "Cluster {Cluster}: power channel closed; reconnecting while the management domain runs")]
    public static partial void ChannelClosed(ILogger logger, string cluster);

    [LoggerMessage(4602, LogLevel.Debug, "Cluster {Cluster}: power channel {Path} not reachable yet: {Reason}")]
    public static partial void ChannelUnreachable(ILogger logger, string cluster, string path, string reason);

    [LoggerMessage(4603, LogLevel.Information, "Cluster {Cluster}: power request accepted: {Request}")]
    public static partial void RequestAccepted(ILogger logger, string cluster, string request);

    [LoggerMessage(4604, LogLevel.Warning, "Cluster {Cluster}: power request refused ({Reason}): {Line}")]
    public static partial void RequestRefused(ILogger logger, string cluster, string reason, string line);

    [LoggerMessage(4605, LogLevel.Warning, "Cluster {Cluster}: power channel flooded: {Refused} lines refused by the rate limit in the last {Seconds:F0} s")]
    public static partial void ChannelFlooded(ILogger logger, string cluster, int refused, double seconds);

    [LoggerMessage(4606, LogLevel.Warning, "Cluster {Cluster}: power channel dropped: {Reason}")]
    public static partial void ChannelDropped(ILogger logger, string cluster, string reason);

    [LoggerMessage(4607, LogLevel.Error, "Power channels are off: cannot make {Directory} ({Reason}); elastic clusters keep only their always-on workers")]
    public static partial void ChannelsUnavailable(ILogger logger, string directory, string reason);

    [LoggerMessage(4610, LogLevel.Information, "Cluster {Cluster}: node {Node} powered on in {Seconds:F1} s (configured alone: {Configured})")]
    public static partial void PoweredOn(ILogger logger, string cluster, string node, double seconds, bool configured);

    [LoggerMessage(4611, LogLevel.Information, "Cluster {Cluster}: node {Node} powered off in {Seconds:F1} s (disk kept)")]
    public static partial void PoweredOff(ILogger logger, string cluster, string node, double seconds);

    [LoggerMessage(4612, LogLevel.Error, "Cluster {Cluster}: node {Node} failed to power on: {Reason}; reported to Slurm as down")]
    public static partial void ResumeFailed(ILogger logger, string cluster, string node, string reason);

    [LoggerMessage(4613, LogLevel.Error, "Cluster {Cluster}: node {Node} failed to power off: {Reason}")]
    public static partial void SuspendFailed(ILogger logger, string cluster, string node, string reason);

    [LoggerMessage(4614, LogLevel.Warning, "Cluster {Cluster}: Slurm gave up on node {Node} (ResumeTimeout); powering it off")]
    public static partial void ResumeTimedOut(ILogger logger, string cluster, string node);

    [LoggerMessage(4615, LogLevel.Warning, "Cluster {Cluster}: power request for {Node} dropped: {Reason}")]
    public static partial void RequestDropped(ILogger logger, string cluster, string node, string reason);

    [LoggerMessage(4616, LogLevel.Error, "Cluster {Cluster}: could not tell Slurm about node {Node}: {Reason}")]
    public static partial void SlurmNotTold(ILogger logger, string cluster, string node, string reason);

    [LoggerMessage(4620, LogLevel.Warning, "Cluster {Cluster}: drift on node {Node}: {Drift}; {Repair}")]
    public static partial void Drift(ILogger logger, string cluster, string node, string drift, string repair);

    [LoggerMessage(4621, LogLevel.Warning, "Cluster {Cluster}: power reconcile failed: {Reason}")]
    public static partial void ReconcileFailed(ILogger logger, string cluster, string reason);
}
