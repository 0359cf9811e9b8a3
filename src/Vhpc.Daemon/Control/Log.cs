using Microsoft.Extensions.Logging;

namespace Vhpc.Daemon.Control;

internal static partial class Log
{
    [LoggerMessage(4400, LogLevel.Information, "Control socket listening on {SocketPath} (mode 0660, group {SocketGroup})")]
    public static partial void Listening(ILogger logger, string socketPath, string socketGroup);

    [LoggerMessage(4401, LogLevel.Warning, "Refused control connection from uid {PeerUid} gid {PeerGid} pid {PeerPid}: not root and not in group {SocketGroup}")]
    public static partial void PeerRefused(ILogger logger, uint peerUid, uint peerGid, int peerPid, string socketGroup);

    [LoggerMessage(4402, LogLevel.Debug, "Control request {Command} cluster {Cluster} from uid {PeerUid}")]
    public static partial void Request(ILogger logger, string command, string cluster, uint peerUid);

    [LoggerMessage(4403, LogLevel.Warning, "Bad control request from uid {PeerUid}: {Reason}")]
    public static partial void BadRequest(ILogger logger, uint peerUid, string reason);

    [LoggerMessage(4404, LogLevel.Error, "Control request {Command} for cluster {Cluster} failed: {Reason}")]
    public static partial void RequestFailed(ILogger logger, string command, string cluster, string reason, Exception exception);

    [LoggerMessage(4405, LogLevel.Information, "Control socket {SocketPath} removed")]
    public static partial void SocketRemoved(ILogger logger, string socketPath);

    [LoggerMessage(4406, LogLevel.Information, "Replacing stale control socket {SocketPath} (nothing listens on it)")]
    public static partial void StaleSocket(ILogger logger, string socketPath);

    [LoggerMessage(4407, LogLevel.Debug, "Control client went away during {Command}: {Reason}")]
    public static partial void ClientGone(ILogger logger, string command, string reason);
}
