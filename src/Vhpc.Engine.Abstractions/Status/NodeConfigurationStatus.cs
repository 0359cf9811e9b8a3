using System.Globalization;

namespace Vhpc.Engine.Status;

public enum ConfigurationState
{
    /// <summary>Status has no record store to read (the configuration layer is not wired).</summary>
    Unknown,

    /// <summary>The last configuration run succeeded for this node and the current spec.</summary>
    Yes,

    /// <summary>The last run succeeded, but for a spec that has changed since (apply to reconfigure).</summary>
    Stale,

    /// <summary>Never configured, or configured on a disk the node no longer has.</summary>
    No,

    /// <summary>The last configuration run failed for this node.</summary>
    Failed,
}

/// <param name="At">When the last run for this node ended.</param>
/// <param name="SpecHash">The configuration hash of the spec that run used.</param>
/// <param name="Error">Why the last run failed for this node.</param>
public sealed record NodeConfigurationStatus(ConfigurationState State, DateTimeOffset? At = null, string? SpecHash = null, string? Error = null)
{
    public static readonly NodeConfigurationStatus Unknown = new(ConfigurationState.Unknown);

    /// <summary>"yes (at 2026-11-27 21:40:05Z)", "stale (spec changed)", "no", "failed: reason" or "unknown".</summary>
    public string Describe() => State switch
    {
        ConfigurationState.Yes => string.Create(CultureInfo.InvariantCulture, $"yes (at {At:u})"),
        ConfigurationState.Stale => "stale (spec changed)",
        ConfigurationState.No => "no",
        ConfigurationState.Failed => $"failed: {Error}",
        _ => "unknown",
    };
}
