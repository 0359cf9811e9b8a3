using Microsoft.Extensions.Logging;

namespace Vhpc.Daemon.Clusters;

internal static partial class Log
{
    [LoggerMessage(4100, LogLevel.Information, "Cluster {Cluster} loaded from {File} ({Management} management, {Workers} workers, {Connect})")]
    public static partial void ClusterLoaded(ILogger logger, string cluster, string file, int management, int workers, string connect);

    [LoggerMessage(4101, LogLevel.Error, "Cluster file {File} is invalid ({ErrorCount} errors); {Outcome}")]
    public static partial void ClusterFileInvalid(ILogger logger, string file, int errorCount, string outcome);

    [LoggerMessage(4102, LogLevel.Error, "{Error}")]
    public static partial void ClusterFileError(ILogger logger, string error);

    [LoggerMessage(4103, LogLevel.Information, "Cluster {Cluster} forgotten: {File} was removed (its libvirt objects are left as they are)")]
    public static partial void ClusterRemoved(ILogger logger, string cluster, string file);

    [LoggerMessage(4104, LogLevel.Information, "Reloading cluster files from {Directory}")]
    public static partial void ReloadRequested(ILogger logger, string directory);

    [LoggerMessage(4105, LogLevel.Information, "Cluster files reloaded: {Loaded} loaded, {Added} added, {Changed} changed, {Removed} removed, {Invalid} invalid")]
    public static partial void ReloadCompleted(ILogger logger, int loaded, int added, int changed, int removed, int invalid);

    [LoggerMessage(4106, LogLevel.Warning, "Cluster directory {Directory} does not exist; no clusters loaded")]
    public static partial void ClusterDirectoryMissing(ILogger logger, string directory);

    [LoggerMessage(4107, LogLevel.Error, "Reloading cluster files failed")]
    public static partial void ReloadFailed(ILogger logger, Exception exception);
}
