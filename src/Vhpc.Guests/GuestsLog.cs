using Microsoft.Extensions.Logging;

namespace Vhpc.Engine.Guests;

/// <summary>Event ids 3000-3499. Never key material: fingerprints and paths only.</summary>
internal static partial class GuestsLog
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Information,
        Message = "Generated the cluster SSH key pair in {StateDirectory} ({Fingerprint})")]
    public static partial void KeyPairGenerated(ILogger logger, string stateDirectory, string fingerprint);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug,
        Message = "Using the existing cluster SSH key pair in {StateDirectory} ({Fingerprint})")]
    public static partial void KeyPairReused(ILogger logger, string stateDirectory, string fingerprint);

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

    [LoggerMessage(EventId = 3100, Level = LogLevel.Information,
        Message = "Node {Node} (MAC {Mac}) has lease {Address} after {Elapsed} ({Polls} polls)")]
    public static partial void LeaseObserved(ILogger logger, string node, string mac, string address, TimeSpan elapsed, int polls);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Error,
        Message = "Node {Node} (MAC {Mac}) got no lease: {Reason}")]
    public static partial void LeaseWaitFailed(ILogger logger, string node, string mac, string reason);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Warning,
        Message = "Node {Node}: libvirt connection lost while waiting for its lease ({Reason}); continuing on a new connection")]
    public static partial void LeaseWaitReconnecting(ILogger logger, string node, string reason);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Information,
        Message = "Node {Node}: waiting for its lease again, on the new libvirt connection (stop events subscribed, state checked)")]
    public static partial void LeaseWaitResumed(ILogger logger, string node);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Information,
        Message = "Node {Node} has lease {Address}; SSH readiness is switched off (Guests.WaitForSsh), so it counts as ready")]
    public static partial void SshWaitSkipped(ILogger logger, string node, string address);
}
