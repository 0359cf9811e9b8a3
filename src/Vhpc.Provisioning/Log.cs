using Microsoft.Extensions.Logging;

namespace Vhpc.Provisioning;

/// <summary>ClusterProvisioner's log events (2001, 2002, 2007, 2020, 2030, 2031; the engine's range is 2000-2999); placeholders become journald fields.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2001, Level = LogLevel.Information,
        Message = "Plan for cluster {Cluster}: {ActionCount} actions, {ConflictCount} conflicts")]
    public static partial void Planned(ILogger logger, string cluster, int actionCount, int conflictCount);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Cluster {Cluster}: conflict: {Conflict}")]
    public static partial void Conflict(ILogger logger, string cluster, string conflict);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Information,
        Message = "Cluster {Cluster}: destroy removed {Count} objects")]
    public static partial void Destroyed(ILogger logger, string cluster, int count);

    [LoggerMessage(EventId = 2020, Level = LogLevel.Warning,
        Message = "Cluster {Cluster}: libvirt connection lost during apply ({Reason}) on attempt {Attempt} of {Attempts}")]
    public static partial void ConnectionLostDuringApply(ILogger logger, string cluster, string reason, int attempt, int attempts);

    [LoggerMessage(EventId = 2030, Level = LogLevel.Error,
        Message = "Cluster {Cluster}: libvirt host {HostName} ({Uri}) could not be read: {Reason}; nothing is changed there and no node that may live there is made elsewhere")]
    public static partial void HostUnreadable(ILogger logger, string cluster, string hostName, string uri, string reason);

    [LoggerMessage(EventId = 2031, Level = LogLevel.Error,
        Message = "Cluster {Cluster}: apply on libvirt host {HostName} failed: {Reason}; its nodes fail, the other hosts go on")]
    public static partial void HostFailed(ILogger logger, string cluster, string hostName, string reason);

    [LoggerMessage(EventId = 2100, Level = LogLevel.Warning,
        Message = "Cluster {Cluster}: node {Node} refused the shutdown request ({Reason}); it is powered off at the timeout")]
    public static partial void ShutdownRefused(ILogger logger, string cluster, string node, string reason);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning,
        Message = "Cluster {Cluster}: node {Node} did not shut down within {Seconds:F0} s; powered off (its disk is kept)")]
    public static partial void ShutdownForced(ILogger logger, string cluster, string node, double seconds);
}
