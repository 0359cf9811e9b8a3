using Microsoft.Extensions.Logging;

namespace Vhpc.Guests.Keys;

/// <summary>The key pair's events (3000-3009). Never key material: fingerprints and paths only.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3000, Level = LogLevel.Information,
        Message = "Generated the cluster SSH key pair in {StateDirectory} ({Fingerprint})")]
    public static partial void KeyPairGenerated(ILogger logger, string stateDirectory, string fingerprint);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug,
        Message = "Using the existing cluster SSH key pair in {StateDirectory} ({Fingerprint})")]
    public static partial void KeyPairReused(ILogger logger, string stateDirectory, string fingerprint);
}
