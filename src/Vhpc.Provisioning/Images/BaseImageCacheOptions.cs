namespace Vhpc.Provisioning.Images;

/// <summary>Where downloads go and how hard a download tries.</summary>
public sealed class BaseImageCacheOptions
{
    /// <summary>The cache directory (created when missing).</summary>
    public string CacheDirectory { get; set; } = "/var/cache/vhpcd/images";

    /// <summary>Retries after the first attempt, each resuming where the last one stopped.</summary>
    public int MaxRetryAttempts { get; set; } = 6;

    /// <summary>First retry delay; doubles per retry, with jitter, up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>No byte for this long counts as a (transient) timeout of the attempt.</summary>
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(60);
}
