using Vhpc.Engine.Settings;

namespace Vhpc.Guests.Checks;

/// <summary>
/// Section "Guests:Checks" of vhpcd.json: how long each check of `vhpc check` may take. Every remote
/// command also runs under `timeout` on the node, so a check that runs out of time leaves no command
/// behind; vhpcd gives up on the SSH call <see cref="SshGrace"/> later still.
/// </summary>
public sealed class ClusterCheckOptions
{
    /// <summary>Quick commands: sinfo, munge and unmunge, reading a file.</summary>
    [TimeSpanRange("00:00:01", "01:00:00")]
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>One srun on one worker; a powered-down node (elastic clusters) needs its boot within this.</summary>
    [TimeSpanRange("00:00:01", "01:00:00")]
    public TimeSpan SrunTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>Building the MPI program (only when absent or changed), then its run across the workers.</summary>
    [TimeSpanRange("00:00:01", "01:00:00")]
    public TimeSpan MpiTimeout { get; set; } = TimeSpan.FromSeconds(180);

    /// <summary>The job array, submitted and waited for.</summary>
    [TimeSpanRange("00:00:01", "01:00:00")]
    public TimeSpan JobArrayTimeout { get; set; } = TimeSpan.FromSeconds(180);

    /// <summary>How long sacct may take to list the jobs (slurmctld sends them to slurmdbd a moment after they end).</summary>
    [TimeSpanRange("00:00:01", "01:00:00")]
    public TimeSpan AccountingTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Added to a command's own timeout for the SSH connection around it (TCG guests answer slowly).</summary>
    [TimeSpanRange("00:00:01", "00:10:00")]
    public TimeSpan SshGrace { get; set; } = TimeSpan.FromSeconds(30);
}
