using Vhpc.Ansible;
using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Configuration;

[Tier(TestTier.Unit)]
public class PlaybookRunTrackerTests
{
    private static HostResult Result(string host, HostTaskStatus status, int play, string task = "t", string? msg = null, bool ignored = false) =>
        new(host, task, "p", play, status, msg, ignored, false, null);

    private static PlaybookStats Stats(params (string Host, int Failures, int Unreachable)[] hosts) =>
        new(hosts.ToDictionary(h => h.Host, h => new HostStats(1, 0, h.Failures, h.Unreachable, 0, 0, 0)));

    [Fact]
    public void A_host_is_configured_only_after_a_result_in_the_last_play()
    {
        var tracker = new PlaybookRunTracker(["a", "b"]);
        tracker.Apply(new PlaybookStarted("site.yml", 3));
        tracker.Apply(Result("a", HostTaskStatus.Ok, 0));
        tracker.Apply(Result("b", HostTaskStatus.Ok, 0));
        tracker.Apply(Result("a", HostTaskStatus.Changed, 1));
        tracker.Apply(Result("a", HostTaskStatus.Ok, 2));
        tracker.Apply(Result("b", HostTaskStatus.Skipped, 2));
        tracker.Apply(Stats(("a", 0, 0), ("b", 0, 0)));

        var outcome = tracker.Outcome();
        Assert.Equal(HostOutcome.Configured, outcome.Hosts["a"].Outcome);
        Assert.Equal(1, outcome.Hosts["a"].Changed);
        // b only skipped in the last play: it never did the marker task.
        Assert.Equal(HostOutcome.Incomplete, outcome.Hosts["b"].Outcome);
    }

    [Fact]
    public void The_first_real_failure_explains_the_host()
    {
        var tracker = new PlaybookRunTracker(["a"]);
        tracker.Apply(new PlaybookStarted("site.yml", 2));
        tracker.Apply(Result("a", HostTaskStatus.Failed, 0, "probe", "ignored one", ignored: true));
        tracker.Apply(Result("a", HostTaskStatus.Failed, 0, "Write slurm.conf", "template error"));
        tracker.Apply(Result("a", HostTaskStatus.Failed, 0, "handler", "later"));
        tracker.Apply(Stats(("a", 1, 0)));

        var a = tracker.Outcome().Hosts["a"];
        Assert.Equal(HostOutcome.Failed, a.Outcome);
        Assert.Equal(("Write slurm.conf", "template error"), (a.Task, a.Message));
    }

    [Fact]
    public void A_rescued_failure_is_not_a_failure()
    {
        var tracker = new PlaybookRunTracker(["a"]);
        tracker.Apply(new PlaybookStarted("site.yml", 1));
        tracker.Apply(Result("a", HostTaskStatus.Failed, 0, "try", "oops"));
        tracker.Apply(Result("a", HostTaskStatus.Ok, 0, "rescue"));
        tracker.Apply(Stats(("a", 0, 0)));
        Assert.Equal(HostOutcome.Configured, tracker.Outcome().Hosts["a"].Outcome);
    }

    [Fact]
    public void Unreachable_is_recorded_with_task_and_message()
    {
        var tracker = new PlaybookRunTracker(["a", "w2"]);
        tracker.Apply(new PlaybookStarted("site.yml", 1));
        tracker.Apply(Result("w2", HostTaskStatus.Unreachable, 0, "Gathering Facts", "Connection refused"));
        tracker.Apply(Result("a", HostTaskStatus.Ok, 0));
        tracker.Apply(Stats(("a", 0, 0), ("w2", 0, 1)));
        var w2 = tracker.Outcome().Hosts["w2"];
        Assert.Equal(HostOutcome.Unreachable, w2.Outcome);
        Assert.Equal(("Gathering Facts", "Connection refused"), (w2.Task, w2.Message));
    }

    [Fact]
    public void A_run_that_stopped_early_leaves_hosts_incomplete()
    {
        var tracker = new PlaybookRunTracker(["a"]);
        tracker.Apply(new PlaybookStarted("site.yml", 2));
        tracker.Apply(Result("a", HostTaskStatus.Ok, 0));
        var outcome = tracker.Outcome();
        Assert.False(outcome.SawStats);
        Assert.Equal(HostOutcome.Incomplete, outcome.Hosts["a"].Outcome);
    }
}
