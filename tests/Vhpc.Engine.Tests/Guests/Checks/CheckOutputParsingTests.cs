using Vhpc.Guests.Checks;
using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Guests.Checks;

/// <summary>What `vhpc check` reads from sinfo, sacct and the MPI program.</summary>
[Tier(TestTier.Unit)]
public sealed class CheckOutputParsingTests
{
    [Fact]
    public void Sinfo_lists_each_node_once_even_in_several_partitions()
    {
        var states = SlurmNodeStates.Parse("c1-w-01|idle\nc1-w-02|ALLOCATED\nc1-w-01|idle\n\nc1-w-03|down*\n");
        Assert.Equal(new Dictionary<string, string> { ["c1-w-01"] = "idle", ["c1-w-02"] = "allocated", ["c1-w-03"] = "down*" }, states);
        Assert.Throws<FormatException>(() => SlurmNodeStates.Parse("sinfo: error: Unable to contact slurm controller"));
        Assert.Throws<FormatException>(() => SlurmNodeStates.Parse("c1-w-01|"));
    }

    [Theory]
    [InlineData("idle", true, "idle")]
    [InlineData("allocated", true, "allocated")]
    [InlineData("mixed", true, "mixed")]
    [InlineData("completing", true, "completing")]
    [InlineData("idle~", true, "idle~ (powered down: a job powers it up)")]
    [InlineData("idle#", true, "idle# (powering up)")]
    [InlineData("allocated#", true, "allocated# (powering up)")]
    [InlineData("idle%", true, "idle% (powering down)")]
    [InlineData("idle!", true, "idle! (power down pending)")]
    [InlineData("idle+cloud", true, "idle+cloud")]
    [InlineData("down*", false, "down*: not responding to slurmctld")]
    [InlineData("idle*", false, "idle*: not responding to slurmctld")]
    [InlineData("down~", false, "down~: not idle or allocated")]
    [InlineData("drained", false, "drained: not idle or allocated")]
    [InlineData("draining", false, "draining: not idle or allocated")]
    [InlineData("unknown", false, "unknown: not idle or allocated")]
    [InlineData("future", false, "future: not idle or allocated")]
    public void Node_states_count_as_up_when_jobs_can_run_there_now_or_after_a_power_up(string state, bool up, string words)
    {
        Assert.Equal((up, words), SlurmNodeStates.Judge(state));
    }

    [Fact]
    public void Sacct_records_keep_array_task_ids_and_the_first_word_of_the_state()
    {
        var records = SacctRecords.Parse("12|vhpc-check-ab|COMPLETED|c1-w-01\n13_0|vhpc-check-ab|COMPLETED|c1-w-02\n14|vhpc-check-ab|CANCELLED by 0|None assigned\n\n");
        Assert.Equal(
            [new SacctRecord("12", "vhpc-check-ab", "COMPLETED", "c1-w-01"), new SacctRecord("13_0", "vhpc-check-ab", "COMPLETED", "c1-w-02"),
             new SacctRecord("14", "vhpc-check-ab", "CANCELLED", "None assigned")],
            records);
        Assert.Equal([true, true, false], records.Select(r => r.Completed));
        Assert.Empty(SacctRecords.Parse(""));
        Assert.Throws<FormatException>(() => SacctRecords.Parse("sacct: error: Problem talking to the database"));
    }

    [Fact]
    public void The_allreduce_passes_only_with_every_rank_from_its_own_worker_and_the_right_sum()
    {
        string[] hosts = ["c1-w-01", "c1-w-02", "c1-w-03"];
        var good = AllreduceOutput.Parse("rank 1 of 3 on c1-w-02.vhpc.local: sum 3\nrank 0 of 3 on c1-w-01: sum 3\n"
            + "[c1-w-01:01234] some OpenMPI warning\nrank 2 of 3 on c1-w-03: sum 3\n");
        Assert.Equal(3, good.Count);
        Assert.Null(AllreduceOutput.Verify(good, hosts));

        var wrongSum = AllreduceOutput.Parse("rank 0 of 3 on c1-w-01: sum 3\nrank 1 of 3 on c1-w-02: sum 1\nrank 2 of 3 on c1-w-03: sum 3\n");
        Assert.Equal("rank 1 on c1-w-02: sum 1 of 3 ranks, expected 3 of 3", AllreduceOutput.Verify(wrongSum, hosts));

        var missing = AllreduceOutput.Parse("rank 0 of 3 on c1-w-01: sum 3\nrank 1 of 3 on c1-w-02: sum 3\n");
        Assert.Equal("no rank reported from c1-w-03; ranks 0,1 reported, expected 0..2", AllreduceOutput.Verify(missing, hosts));

        // Three ranks, but two of them on one node: the program did not run across every worker.
        var packed = AllreduceOutput.Parse("rank 0 of 3 on c1-w-01: sum 3\nrank 1 of 3 on c1-w-01: sum 3\nrank 2 of 3 on c1-w-03: sum 3\n");
        Assert.Equal("no rank reported from c1-w-02", AllreduceOutput.Verify(packed, hosts));
    }
}
