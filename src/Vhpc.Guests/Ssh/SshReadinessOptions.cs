using Vhpc.Engine.Settings;

namespace Vhpc.Guests.Ssh;

/// <summary>Section "Guests:Ssh" of vhpcd.json.</summary>
public sealed class SshReadinessOptions
{
    /// <summary>Whole wait per node, from first attempt to the last check.</summary>
    [TimeSpanRange("00:00:01", "1.00:00:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>First retry delay; doubles per attempt (with jitter) up to <see cref="MaxDelay"/>.</summary>
    [TimeSpanRange("00:00:00.010", "01:00:00")]
    public TimeSpan InitialDelay { get; set; } = TimeSpan.FromSeconds(1);

    [TimeSpanRange("00:00:00.010", "01:00:00")]
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long after the first rejected key authentication failures still count as "cloud-init has
    /// not created the user yet". On the images vhpcd builds sshd starts after cloud-init's user
    /// setup, so a rejection that outlasts this window is a wrong key or user, not a slow boot.
    /// </summary>
    [TimeSpanRange("00:00:00", "1.00:00:00")]
    public TimeSpan AuthenticationGraceWindow { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The jitter's random source (0..1); tests pin it so a jittered schedule is reproducible.</summary>
    internal Func<double>? Randomizer { get; set; }

    /// <summary>
    /// Run in order over the first working connection. Default: cloud-init done, then the hostname.
    /// Set in code only (tests), never from vhpcd.json: internal, so the configuration binder's
    /// generated code leaves it alone. GuestsOptionsValidator requires it.
    /// </summary>
    internal IReadOnlyList<IGuestReadinessCheck> Checks { get; set; } = [new CloudInitStatusCheck(), new HostnameCheck()];
}
