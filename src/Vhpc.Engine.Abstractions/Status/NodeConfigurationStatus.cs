using System.Globalization;

namespace Vhpc.Engine.Status;

public enum ConfigurationState
{
    /// <summary>Status has no record store to read (the configuration layer is not wired).</summary>
    Unknown,

    /// <summary>The last configuration run succeeded for this node and the current spec.</summary>
    Yes,

    /// <summary>The last run succeeded, but for a spec, roles or keys that have changed since (apply to reconfigure).</summary>
    Stale,

    /// <summary>Never configured, or configured on a disk the node no longer has.</summary>
    No,

    /// <summary>The last configuration run failed for this node.</summary>
    Failed,
}

/// <param name="At">When the last run for this node ended.</param>
/// <param name="SpecHash">The configuration hash of the spec that run used.</param>
/// <param name="Error">Why the last run failed for this node.</param>
/// <param name="RolesHash">The hash of the roles and keys that run used (empty in records written before it was kept).</param>
/// <param name="StaleBecause">What changed since the run, for <see cref="ConfigurationState.Stale"/>: see <see cref="SpecChanged"/> and <see cref="RolesChanged"/>.</param>
public sealed record NodeConfigurationStatus(ConfigurationState State, DateTimeOffset? At = null, string? SpecHash = null, string? Error = null,
    string? RolesHash = null, string? StaleBecause = null)
{
    public const string SpecChanged = "spec changed";

    /// <summary>The playbook tree, the munge key or the database password differ from what the last run used.</summary>
    public const string RolesChanged = "roles or keys changed";

    public static readonly NodeConfigurationStatus Unknown = new(ConfigurationState.Unknown);

    /// <summary>"yes (at 2026-11-27 21:40:05Z)", "stale (spec changed)", "stale (roles or keys changed)", "no", "failed: reason" or "unknown".</summary>
    public string Describe() => State switch
    {
        ConfigurationState.Yes => string.Create(CultureInfo.InvariantCulture, $"yes (at {At:u})"),
        ConfigurationState.Stale => $"stale ({StaleBecause ?? SpecChanged})",
        ConfigurationState.No => "no",
        ConfigurationState.Failed => $"failed: {Error}",
        _ => "unknown",
    };
}
