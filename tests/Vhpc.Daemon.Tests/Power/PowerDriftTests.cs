using Vhpc.Daemon.Power;
using Vhpc.Testing;

namespace Vhpc.Daemon.Tests.Power;

/// <summary>The drift repair's decision for one on-demand worker: Slurm's compact state (sinfo %t) against whether its domain runs.</summary>
[Tier(TestTier.Unit)]
public class PowerDriftTests
{
    [Theory]
    [InlineData("idle~", true, "PowerOff")]
    [InlineData("down~", true, "PowerOff")]
    [InlineData("idle~", false, "None")]
    [InlineData("idle#", false, "Resume")]
    [InlineData("alloc#", false, "Resume")]
    [InlineData("idle#", true, "None")]
    [InlineData("idle", false, "TellSlurm")]
    [InlineData("alloc", false, "TellSlurm")]
    [InlineData("down*", false, "TellSlurm")]
    [InlineData("idle", true, "None")]
    [InlineData("idle%", false, "None")]
    [InlineData("idle%", true, "None")]
    [InlineData("idle!", true, "None")]
    public void Repair_follows_the_two_views(string slurm, bool running, string expected) =>
        Assert.Equal(expected, PowerDrift.Of(slurm, running).ToString());
}
