using Vhpc.Ansible;
using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Configuration;

[Tier(TestTier.Unit)]
public class RetryDecisionTests
{
    private static PlaybookRunOutcome Outcome(params HostRunState[] hosts) =>
        new(3, hosts.ToDictionary(h => h.Host), true);

    [Fact]
    public void Only_unreachable_hosts_are_retried_never_failed_ones()
    {
        var outcome = Outcome(
            new HostRunState("mgmt") { CompletedLastPlay = true },
            new HostRunState("w1") { Failed = true, Task = "Install munge", Message = "No package" },
            new HostRunState("w3") { Unreachable = true, Message = "Connection timed out" },
            new HostRunState("w2") { Unreachable = true, Message = "Connection refused" },
            new HostRunState("w4"));
        Assert.Equal(["w2", "w3"], RetryDecision.HostsToRetry(outcome));
    }

    [Fact]
    public void A_host_that_failed_and_was_unreachable_counts_as_failed()
    {
        var outcome = Outcome(new HostRunState("w1") { Failed = true, Unreachable = true });
        Assert.Empty(RetryDecision.HostsToRetry(outcome));
        Assert.Equal(HostOutcome.Failed, outcome.Hosts["w1"].Outcome);
    }

    [Fact]
    public void Nothing_to_retry_when_all_completed() =>
        Assert.Empty(RetryDecision.HostsToRetry(Outcome(new HostRunState("a") { CompletedLastPlay = true })));
}
