using Microsoft.Extensions.Logging;

namespace Vhpc.Provisioning.Images;

/// <summary>Base image log events (ids 1100-1149 of the images/seeds range).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "Downloading base image {Url} to {Path}")]
    public static partial void DownloadStarting(ILogger logger, Uri url, string path);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Resuming base image download {Url} at byte {Offset}")]
    public static partial void DownloadResuming(ILogger logger, Uri url, long offset);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "Base image download {Url} failed (attempt {Attempt}), retrying in {DelayMs} ms: {Reason}")]
    public static partial void DownloadRetrying(ILogger logger, Uri url, int attempt, double delayMs, string reason);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Information, Message = "Base image {Url} downloaded and verified: {Bytes} bytes in {Seconds:F1} s")]
    public static partial void DownloadCompleted(ILogger logger, Uri url, long bytes, double seconds);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Error, Message = "Base image {Source} has sha256 {Actual}, expected {Expected}")]
    public static partial void ChecksumMismatch(ILogger logger, string source, string actual, string expected);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Debug, Message = "Base image {Url} found in the cache at {Path}")]
    public static partial void CacheHit(ILogger logger, Uri url, string path);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Warning, Message = "Server ignored the range request for {Url}; downloading from the start")]
    public static partial void RangeIgnored(ILogger logger, Uri url);
}
