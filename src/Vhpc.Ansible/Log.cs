using Microsoft.Extensions.Logging;

namespace Vhpc.Ansible;

/// <summary>
/// Configuration events (3500-3999). Messages carry task names and module messages, never task
/// arguments or results: the callback forwards only status and message, and no_log tasks arrive
/// censored, so the munge key cannot reach a log.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(3500, LogLevel.Information, "Configuring cluster {Cluster}: attempt {Attempt}, hosts {Hosts}, playbook {Playbook}")]
    public static partial void PlaybookStarting(ILogger logger, string cluster, int attempt, string hosts, string playbook);

    [LoggerMessage(3501, LogLevel.Information, "Play {PlayIndex} '{Play}' started")]
    public static partial void PlayStarted(ILogger logger, int playIndex, string play);

    [LoggerMessage(3502, LogLevel.Debug, "Task '{Task}' ({Action}) started in play '{Play}'")]
    public static partial void TaskStarted(ILogger logger, string task, string action, string play);

    [LoggerMessage(3503, LogLevel.Debug, "{Host}: ok: {Task}")]
    public static partial void HostOk(ILogger logger, string host, string task);

    [LoggerMessage(3504, LogLevel.Information, "{Host}: changed: {Task}")]
    public static partial void HostChanged(ILogger logger, string host, string task);

    [LoggerMessage(3505, LogLevel.Warning, "{Host}: task '{Task}' failed: {Reason}")]
    public static partial void HostFailed(ILogger logger, string host, string task, string reason);

    [LoggerMessage(3506, LogLevel.Warning, "{Host}: unreachable at task '{Task}': {Reason}")]
    public static partial void HostUnreachable(ILogger logger, string host, string task, string reason);

    [LoggerMessage(3507, LogLevel.Debug, "{Host}: skipped: {Task}")]
    public static partial void HostSkipped(ILogger logger, string host, string task);

    [LoggerMessage(3508, LogLevel.Information, "{Host}: task '{Task}' failed and was ignored: {Reason}")]
    public static partial void HostFailureIgnored(ILogger logger, string host, string task, string reason);

    [LoggerMessage(3509, LogLevel.Information, "{Host}: ok={Ok} changed={Changed} failed={Failures} unreachable={Unreachable} skipped={Skipped}")]
    public static partial void HostRecap(ILogger logger, string host, int ok, int changed, int failures, int unreachable, int skipped);

    [LoggerMessage(3510, LogLevel.Information, "Attempt {Attempt} of cluster {Cluster} ended with exit code {ExitCode} after {ElapsedSeconds:F1} s")]
    public static partial void PlaybookFinished(ILogger logger, int attempt, string cluster, int exitCode, double elapsedSeconds);

    [LoggerMessage(3511, LogLevel.Warning, "Retrying cluster {Cluster} for unreachable hosts {Hosts} in {DelaySeconds:F1} s (retry {Retry})")]
    public static partial void RetryingUnreachable(ILogger logger, string cluster, string hosts, double delaySeconds, int retry);

    [LoggerMessage(3512, LogLevel.Information, "Cluster {Cluster} configured in {ElapsedSeconds:F1} s ({Attempts} attempts)")]
    public static partial void ConfigurationSucceeded(ILogger logger, string cluster, double elapsedSeconds, int attempts);

    [LoggerMessage(3513, LogLevel.Error, "Cluster {Cluster} not configured: {Problem}")]
    public static partial void ConfigurationFailed(ILogger logger, string cluster, string problem);

    [LoggerMessage(3514, LogLevel.Debug, "ansible-playbook: {Line}")]
    public static partial void UnparsedOutput(ILogger logger, string line);

    [LoggerMessage(3515, LogLevel.Debug, "ansible-playbook stderr: {Line}")]
    public static partial void StandardError(ILogger logger, string line);

    [LoggerMessage(3516, LogLevel.Error, "ansible-playbook exited with {ExitCode} before reporting any host (cluster {Cluster}): {Detail}")]
    public static partial void PlaybookBroken(ILogger logger, int exitCode, string cluster, string detail);

    [LoggerMessage(3520, LogLevel.Warning, "Cluster {Cluster}: the configuration outcome of node {Node} was not recorded ({Reason}); status will say it is not configured")]
    public static partial void RecordNotWritten(ILogger logger, string cluster, string node, string reason);
}
