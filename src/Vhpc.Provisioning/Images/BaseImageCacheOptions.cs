using System.ComponentModel.DataAnnotations;
using Vhpc.Engine.Settings;

namespace Vhpc.Provisioning.Images;

/// <summary>
/// Where downloads go and how hard a download tries: section "Images" of vhpcd.json (vhpcd puts the
/// cache under its state directory), validated at start (<see cref="BaseImageCacheOptionsValidator"/>).
/// </summary>
public sealed class BaseImageCacheOptions
{
    public const string SectionName = "Images";

    /// <summary>The cache directory (created when missing).</summary>
    [Required]
    public string CacheDirectory { get; set; } = "/var/cache/vhpcd/images";

    /// <summary>Retries after the first attempt, each resuming where the last one stopped.</summary>
    [Range(0, 100)]
    public int MaxRetryAttempts { get; set; } = 6;

    /// <summary>First retry delay; doubles per retry, with jitter, up to <see cref="RetryMaxDelay"/>.</summary>
    [TimeSpanRange("00:00:00.010", "00:10:00")]
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(2);

    [TimeSpanRange("00:00:00.010", "01:00:00")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>No byte for this long counts as a (transient) timeout of the attempt.</summary>
    [TimeSpanRange("00:00:01", "01:00:00")]
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(60);
}
