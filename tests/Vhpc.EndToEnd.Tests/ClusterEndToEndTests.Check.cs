using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Vhpc.Cli.Output;
using Vhpc.Daemon.Control;
using Vhpc.Engine;
using Vhpc.Engine.Checks;
using Vhpc.Engine.Progress;
using Vhpc.Guests.Ssh;
using Vhpc.Guests.State;
using Vhpc.Spec;
using Vhpc.Spec.Layout;
using Xunit.Abstractions;

namespace Vhpc.EndToEnd.Tests;

/// <summary>
/// Issue 14 item 3 on the shared end-to-end cluster: `vhpc check` passes every check; with one worker's
/// munge key replaced (and munged restarted) it fails naming that worker with unmunge's own error and
/// runs MPI and the job array on the other two; with the key put back by hand it passes again. The
/// report is printed as `vhpc check` prints it (ControlMapping and CheckTable, the code behind the
/// socket hop that tests/Vhpc.Daemon.Tests/Cli/CheckCommandTests covers).
/// </summary>
public sealed partial class ClusterEndToEndTests
{
    private const string BrokenWorker = Cluster + "-w-02";

    private async Task CheckVhpcCheckFindsABrokenWorkerAsync(ServiceProvider services, IClusterEngine engine, ClusterSpec spec, ClusterLayout layout)
    {
        var healthy = await CheckAsync(engine, spec, "on the new cluster");
        Assert.True(healthy.Passed, "check failed on a new cluster:\n" + Failures(healthy));
        Assert.Equal(3 * 4 + 3, healthy.Results.Count);
        Assert.Contains("allreduce sum 3 on all 3 ranks", healthy.Results.Single(r => r.Check == CheckNames.Mpi).Detail, StringComparison.Ordinal);

        var runner = services.GetRequiredService<ISshCommandRunner>();
        var worker = layout.Nodes.Single(n => n.Name == BrokenWorker);
        await OnCheckNodeAsync(runner, spec, worker, """
            sudo cp -p /etc/munge/munge.key /root/munge.key.vhpc-check-test
            sudo dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none
            sudo chown munge:munge /etc/munge/munge.key && sudo chmod 0400 /etc/munge/munge.key
            sudo systemctl restart munge
            """);

        var broken = await CheckAsync(engine, spec, $"with {BrokenWorker}'s munge key replaced");
        Assert.False(broken.Passed);
        var munge = Assert.Single(broken.Results, r => r.Check == CheckNames.Munge && !r.Passed);
        Assert.Equal(BrokenWorker, munge.Node);
        Assert.Contains($"on {BrokenWorker}: `unmunge (a credential from {layout.Management.Name})` exited", munge.Error, StringComparison.Ordinal);
        Assert.Contains("unmunge: Error:", munge.Error, StringComparison.Ordinal);
        Assert.All(broken.Results.Where(r => !r.Passed), r => Assert.Contains(BrokenWorker, r.Node ?? r.Error ?? "", StringComparison.Ordinal));
        Assert.All(broken.Results.Where(r => r.Node is { } node && node != BrokenWorker), r => Assert.True(r.Passed, $"{r.Check} {r.Node}: {r.Error}"));
        var mpi = broken.Results.Single(r => r.Check == CheckNames.Mpi);
        Assert.True(mpi.Passed, mpi.Error);
        Assert.Contains($"without {BrokenWorker}", mpi.Detail, StringComparison.Ordinal);

        // The repair by hand: the cluster's own key back, munged and slurmd restarted, the node resumed
        // if slurmctld marked it down meanwhile.
        await OnCheckNodeAsync(runner, spec, worker, """
            sudo cp -p /root/munge.key.vhpc-check-test /etc/munge/munge.key
            sudo systemctl restart munge
            sudo systemctl restart slurmd
            """);
        await OnCheckNodeAsync(runner, spec, layout.Management, $$"""
            sudo scontrol update nodename={{BrokenWorker}} state=resume 2>/dev/null || true
            for i in $(seq 90); do
              state=$(sinfo -h -n {{BrokenWorker}} -o %T)
              [ "$state" = idle ] && exit 0
              sleep 2
            done
            echo "{{BrokenWorker}} is $state, not idle, 180 s after the repair" >&2
            exit 1
            """);

        var repaired = await CheckAsync(engine, spec, "after the repair");
        Assert.True(repaired.Passed, "check failed after the repair:\n" + Failures(repaired));
    }

    private async Task<ClusterCheckReport> CheckAsync(IClusterEngine engine, ClusterSpec spec, string when)
    {
        var report = await engine.CheckAsync(spec, new CheckProgress(output), CancellationToken.None);
        output.WriteLine($"vhpc check {spec.Name} ({when}):\n{CheckTable.Render(report.ToInfo())}");
        output.WriteLine($"MEASURE vhpc check {when}: {report.Duration.TotalSeconds:0.0} s");
        return report;
    }

    private static string Failures(ClusterCheckReport report) =>
        string.Join("\n", report.Results.Where(r => !r.Passed).Select(r => $"{r.Check} {r.Node}: {r.Error}"));

    private async Task OnCheckNodeAsync(ISshCommandRunner runner, ClusterSpec spec, ClusterNode node, string script)
    {
        var target = Target(spec, node);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var result = await runner.RunAsync(target, "set -e\n" + script, timeout.Token);
        output.WriteLine($"{node.Name}$ {script}\n{result.StandardOutput}{result.StandardError}");
        Assert.True(result.Succeeded, $"{node.Name}: failed ({result.ExitStatus}): {result.StandardError}");
    }

    private sealed class CheckProgress(ITestOutputHelper output) : IProgress<ProgressEvent>
    {
        private readonly Lock _lock = new();

        public void Report(ProgressEvent value)
        {
            lock (_lock)
            {
                output.WriteLine($"{value.Time:HH:mm:ss} {value.Node ?? "(cluster)"} {value.Step} {value.State} {value.Elapsed?.TotalSeconds:0.0} {value.Message}");
            }
        }
    }
}
