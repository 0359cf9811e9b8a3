using Microsoft.Extensions.Logging;
using Vhpc.Libvirt;

namespace Vhpc.Provisioning.Connections;

/// <summary>Connection log messages; event ids 1000-1099.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information,
        Message = "Opened libvirt connection to {Uri} (libvirt {LibVersion})")]
    internal static partial void Opened(ILogger logger, string uri, Version libVersion);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug,
        Message = "Keepalive on {Uri}: probe every {IntervalSeconds} s, give up after {Count} unanswered")]
    internal static partial void KeepAliveEnabled(ILogger logger, string uri, int intervalSeconds, int count);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information,
        Message = "Keepalive not available on {Uri}: {Reason}")]
    internal static partial void KeepAliveUnavailable(ILogger logger, string uri, string reason);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning,
        Message = "libvirt closed the connection to {Uri}: {Reason}; reconnecting")]
    internal static partial void ClosedByLibvirt(ILogger logger, string uri, ConnectionCloseReason reason);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning,
        Message = "Connection to {Uri} unavailable ({ErrorCode}: {ErrorMessage}); attempt {Attempt} again in {DelayMilliseconds} ms")]
    internal static partial void Retrying(ILogger logger, string uri, ErrorCode errorCode, string errorMessage, int attempt, double delayMilliseconds);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Warning,
        Message = "Connection to {Uri} lost during an operation ({ErrorCode}: {ErrorMessage})")]
    internal static partial void LostDuringOperation(ILogger logger, string uri, ErrorCode errorCode, string errorMessage);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Error,
        Message = "Background reconnect to {Uri} failed; the next operation tries again")]
    internal static partial void ReconnectFailed(ILogger logger, string uri, Exception exception);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Debug,
        Message = "Released the old connection to {Uri} ({References} references still held by undisposed objects)")]
    internal static partial void Released(ILogger logger, string uri, int references);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Error,
        Message = "A libvirt event handler failed")]
    internal static partial void CallbackFailed(ILogger logger, Exception exception);
}
