using Microsoft.Extensions.Logging;

namespace Vhpc.Daemon.Operations;

internal static partial class Log
{
    [LoggerMessage(4300, LogLevel.Information, "Cluster {Cluster}: {Operation} waits for the running {Running} to finish")]
    public static partial void OperationQueued(ILogger logger, string cluster, string operation, string running);

    [LoggerMessage(4301, LogLevel.Information, "Cluster {Cluster}: {Operation} started")]
    public static partial void OperationStarted(ILogger logger, string cluster, string operation);

    [LoggerMessage(4302, LogLevel.Information, "Cluster {Cluster}: {Operation} finished in {DurationSeconds:F1} s")]
    public static partial void OperationSucceeded(ILogger logger, string cluster, string operation, double durationSeconds);

    [LoggerMessage(4303, LogLevel.Error, "Cluster {Cluster}: {Operation} failed after {DurationSeconds:F1} s: {Reason}")]
    public static partial void OperationFailed(ILogger logger, string cluster, string operation, double durationSeconds, string reason, Exception? exception);

    [LoggerMessage(4304, LogLevel.Warning, "Cluster {Cluster}: {Operation} stopped at a safe point because vhpcd is stopping; the next apply converges")]
    public static partial void OperationInterrupted(ILogger logger, string cluster, string operation);

    [LoggerMessage(4305, LogLevel.Information, "Cluster {Cluster} node {Node} step {Step} {StepState}{Detail}")]
    public static partial void Progress(ILogger logger, string cluster, string node, string step, string stepState, string detail);

    [LoggerMessage(4306, LogLevel.Warning, "Cluster {Cluster} node {Node} step {Step} failed: {Reason}")]
    public static partial void StepFailed(ILogger logger, string cluster, string node, string step, string reason);

    [LoggerMessage(4307, LogLevel.Information, "Waiting for {Count} running operations to reach a safe point")]
    public static partial void Draining(ILogger logger, int count);

    [LoggerMessage(4308, LogLevel.Error, "Cluster {Cluster} node {Node} failed: {Reason}")]
    public static partial void NodeFailed(ILogger logger, string cluster, string node, string reason);
}
