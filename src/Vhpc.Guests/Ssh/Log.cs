using Microsoft.Extensions.Logging;

namespace Vhpc.Guests.Ssh;

/// <summary>SSH events (3010-3099): host keys, connection attempts, readiness checks. Never key material: fingerprints and paths only.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3010, Level = LogLevel.Information,
        Message = "Recorded host key of {Host}:{Port} on first contact: {KeyType} {Fingerprint} in {KnownHostsPath}")]
    public static partial void HostKeyRecorded(ILogger logger, string host, int port, string keyType, string fingerprint, string knownHostsPath);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Error,
        Message = "Host key mismatch for {Host}:{Port}: offered {Fingerprint}, not the one in {KnownHostsPath}; refusing to connect")]
    public static partial void HostKeyMismatch(ILogger logger, string host, int port, string fingerprint, string knownHostsPath);

    [LoggerMessage(EventId = 3020, Level = LogLevel.Debug,
        Message = "SSH attempt {Attempt} to {Host}:{Port} failed ({Reason}); retrying in {Delay}")]
    public static partial void SshAttemptFailed(ILogger logger, string host, int port, int attempt, TimeSpan delay, string reason);

    [LoggerMessage(EventId = 3021, Level = LogLevel.Information,
        Message = "SSH to {Host}:{Port} authenticated after {Attempts} attempts, {Elapsed}")]
    public static partial void SshConnected(ILogger logger, string host, int port, int attempts, TimeSpan elapsed);

    [LoggerMessage(EventId = 3022, Level = LogLevel.Information,
        Message = "Readiness check {Check} passed on {Host}:{Port}: {Summary}")]
    public static partial void ReadinessCheckPassed(ILogger logger, string host, int port, string check, string summary);

    [LoggerMessage(EventId = 3023, Level = LogLevel.Information,
        Message = "{Hostname} at {Host}:{Port} is SSH-ready after {Elapsed}")]
    public static partial void SshReady(ILogger logger, string host, int port, string hostname, TimeSpan elapsed);

    [LoggerMessage(EventId = 3024, Level = LogLevel.Error,
        Message = "{Host}:{Port} is not SSH-ready: {Reason}")]
    public static partial void SshNotReady(ILogger logger, string host, int port, string reason);
}
