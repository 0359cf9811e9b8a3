using Microsoft.Extensions.Logging;

namespace Vhpc.Daemon.Hosting;

internal static partial class Log
{
    [LoggerMessage(4000, LogLevel.Information, "vhpcd {Version} starting (clusters {ClustersDirectory}, state {StateDirectory}, socket {SocketPath})")]
    public static partial void Starting(ILogger logger, string version, string clustersDirectory, string stateDirectory, string socketPath);

    [LoggerMessage(4001, LogLevel.Information, "vhpcd ready: {Clusters} clusters loaded, libvirt reachable for {Connections} connection URIs")]
    public static partial void Ready(ILogger logger, int clusters, int connections);

    [LoggerMessage(4002, LogLevel.Information, "vhpcd stopping")]
    public static partial void Stopping(ILogger logger);

    [LoggerMessage(4003, LogLevel.Critical, "vhpcd cannot continue: {Reason}")]
    public static partial void Fatal(ILogger logger, string reason, Exception? exception);

    [LoggerMessage(4004, LogLevel.Critical, "Invalid configuration: {Failure}")]
    public static partial void InvalidOption(ILogger logger, string failure);

    [LoggerMessage(4005, LogLevel.Information, "vhpcd stopped with exit code {ExitCode}")]
    public static partial void Stopped(ILogger logger, int exitCode);

    [LoggerMessage(4010, LogLevel.Information, "Connecting to libvirt at {Connect} (cluster {Cluster})")]
    public static partial void LibvirtConnecting(ILogger logger, string connect, string cluster);

    [LoggerMessage(4011, LogLevel.Information, "libvirt at {Connect} reachable (cluster {Cluster}, {Nodes} nodes known)")]
    public static partial void LibvirtConnected(ILogger logger, string connect, string cluster, int nodes);

    [LoggerMessage(4012, LogLevel.Warning, "libvirt at {Connect} not reachable yet (attempt {Attempt}, next in {DelaySeconds:F1} s): {Reason}")]
    public static partial void LibvirtRetry(ILogger logger, string connect, int attempt, double delaySeconds, string reason);
}
