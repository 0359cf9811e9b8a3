using Microsoft.Extensions.Logging;

namespace Vhpc.Provisioning.Reconcile;

/// <summary>The reconciler's and platform detection's log events (2000, 2003-2005, 2008, 2010, 2013, 2014; 2011 is retired; the engine's range is 2000-2999); placeholders become journald fields.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Information,
        Message = "Accelerator for {Uri}: domain type {DomainType}, cpu mode {CpuMode} ({Reason})")]
    public static partial void AcceleratorChosen(ILogger logger, string uri, string domainType, string cpuMode, string reason);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information,
        Message = "Cluster {Cluster}: {Kind} {Target} {ObjectName} ({Reason})")]
    public static partial void ActionStarting(ILogger logger, string cluster, string kind, string target, string objectName, string reason);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Error,
        Message = "Cluster {Cluster}: {Kind} {Target} {ObjectName} failed")]
    public static partial void ActionFailed(ILogger logger, Exception exception, string cluster, string kind, string target, string objectName);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Information,
        Message = "Cluster {Cluster}: base image uploaded as {Volume} ({Bytes} bytes, sha256 verified)")]
    public static partial void BaseImageUploaded(ILogger logger, string cluster, string volume, long bytes);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Warning,
        Message = "Cluster {Cluster}: node {Node} failed: {Error}")]
    public static partial void NodeFailed(ILogger logger, string cluster, string node, string error);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Warning,
        Message = "Cluster {Cluster}: pool {Pool} undefined but its directory was kept: {Reason}")]
    public static partial void PoolDirectoryKept(ILogger logger, string cluster, string pool, string reason);

    [LoggerMessage(EventId = 2013, Level = LogLevel.Information,
        Message = "Cluster {Cluster}: domain {Node} is running and will be replaced: shutdown requested (powered off after {Seconds} s)")]
    public static partial void ShutdownRequested(ILogger logger, string cluster, string node, double seconds);

    [LoggerMessage(EventId = 2014, Level = LogLevel.Warning,
        Message = "Cluster {Cluster}: domain {Node} did not shut down within {Seconds} s: powered off")]
    public static partial void ShutdownForced(ILogger logger, string cluster, string node, double seconds);

}
