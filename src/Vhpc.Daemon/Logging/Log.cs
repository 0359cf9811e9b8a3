using Microsoft.Extensions.Logging;

namespace Vhpc.Daemon.Logging;

/// <summary>Log events of vhpcd's logging set-up (ids 4500-4549).</summary>
internal static partial class Log
{
    [LoggerMessage(4500, LogLevel.Information, "Logging to {LogTarget}: {Reason}")]
    public static partial void TargetChosen(ILogger logger, string logTarget, string reason);
}
