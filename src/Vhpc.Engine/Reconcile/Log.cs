using Microsoft.Extensions.Logging;
using Vhpc.Engine.Progress;

namespace Vhpc.Engine.Reconcile;

/// <summary>The engine's log events (ids 2000-2999); placeholders become journald fields.</summary>
internal static partial class Log
{
    private static readonly Func<ILogger, string, IDisposable?> ClusterScopeDefinition =
        LoggerMessage.DefineScope<string>("Cluster {Cluster}");

    private static readonly Func<ILogger, string, IDisposable?> StepScopeDefinition =
        LoggerMessage.DefineScope<string>("Step {Step}");

    private static readonly Func<ILogger, string, string, IDisposable?> NodeStepScopeDefinition =
        LoggerMessage.DefineScope<string, string>("Node {Node} step {Step}");

    /// <summary>Everything logged during one apply or destroy, by any layer, carries the cluster (a journal field).</summary>
    public static IDisposable? ClusterScope(ILogger logger, string cluster) => ClusterScopeDefinition(logger, cluster);

    /// <summary>A step of one node (node set) or of the whole cluster (node null).</summary>
    public static IDisposable? StepScope(ILogger logger, string? node, ProvisioningStep step) => node is null
        ? StepScopeDefinition(logger, step.ToString().ToLowerInvariant())
        : NodeStepScopeDefinition(logger, node, step.ToString().ToLowerInvariant());

    [LoggerMessage(EventId = 2000, Level = LogLevel.Information,
        Message = "Accelerator for {Uri}: domain type {DomainType}, cpu mode {CpuMode} ({Reason})")]
    public static partial void AcceleratorChosen(ILogger logger, string uri, string domainType, string cpuMode, string reason);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information,
        Message = "Plan for cluster {Cluster}: {ActionCount} actions, {ConflictCount} conflicts")]
    public static partial void Planned(ILogger logger, string cluster, int actionCount, int conflictCount);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Cluster {Cluster}: conflict: {Conflict}")]
    public static partial void Conflict(ILogger logger, string cluster, string conflict);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Information,
        Message = "Cluster {Cluster}: {Kind} {Target} {ObjectName} ({Reason})")]
    public static partial void ActionStarting(ILogger logger, string cluster, string kind, string target, string objectName, string reason);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Error,
        Message = "Cluster {Cluster}: {Kind} {Target} {ObjectName} failed")]
    public static partial void ActionFailed(ILogger logger, Exception exception, string cluster, string kind, string target, string objectName);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Information,
        Message = "Cluster {Cluster}: base image uploaded as {Volume} ({Bytes} bytes, sha256 verified)")]
    public static partial void BaseImageUploaded(ILogger logger, string cluster, string volume, long bytes);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Information,
        Message = "Cluster {Cluster}: apply finished in {Seconds:F1} s, succeeded {Succeeded}")]
    public static partial void ApplyFinished(ILogger logger, string cluster, double seconds, bool succeeded);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Information,
        Message = "Cluster {Cluster}: destroy removed {Count} objects")]
    public static partial void Destroyed(ILogger logger, string cluster, int count);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Warning,
        Message = "Cluster {Cluster}: node {Node} failed: {Error}")]
    public static partial void NodeFailed(ILogger logger, string cluster, string node, string error);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Information,
        Message = "Cluster {Cluster}: {Step} is not wired into this engine; skipped")]
    public static partial void StepNotWired(ILogger logger, string cluster, string step);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Warning,
        Message = "Cluster {Cluster}: pool {Pool} undefined but its directory was kept: {Reason}")]
    public static partial void PoolDirectoryKept(ILogger logger, string cluster, string pool, string reason);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Warning,
        Message = "Cluster {Cluster}: domain {Domain} undefined but its log file {File} was kept: {Reason}")]
    public static partial void LogFileKept(ILogger logger, string cluster, string domain, string file, string reason);

    [LoggerMessage(EventId = 2020, Level = LogLevel.Warning,
        Message = "Cluster {Cluster}: libvirt connection lost during apply ({Reason}) on attempt {Attempt} of {Attempts}")]
    public static partial void ConnectionLostDuringApply(ILogger logger, string cluster, string reason, int attempt, int attempts);
}
