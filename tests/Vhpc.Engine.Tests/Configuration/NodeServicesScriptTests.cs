using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Configuration;

/// <summary>
/// deploy/ansible/roles/common/files/node-services (the apply-time service starter) against a fake
/// systemctl that keeps unit states in files: a first run enables and starts the role target; a run
/// with nothing to do prints nothing (Ansible then reports no change); changed configuration restarts
/// or reloads only running units; a unit stopped by hand is started again through the target.
/// </summary>
[Tier(TestTier.Unit)]
public sealed class NodeServicesScriptTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vhpc-node-services-").FullName;

    private const string FakeSystemctl = """
        #!/bin/sh
        # Fake systemctl: unit states are files under $FAKE_STATE; every call is logged.
        state=$FAKE_STATE
        echo "$*" >> "$state/calls"
        verb=$1; shift
        while [ "${1#--}" != "${1:-}" ]; do shift; done
        case $verb in
          is-active) [ -e "$state/active/$1" ] ;;
          is-enabled) [ -e "$state/enabled/$1" ] ;;
          enable) touch "$state/enabled/$1" ;;
          show) cat "$state/wants" ;;
          start) touch "$state/active/$1"; for u in $(cat "$state/wants"); do touch "$state/active/$u"; done ;;
          restart|reload) touch "$state/active/$1" ;;
          *) echo "fake systemctl: unexpected $verb" >&2; exit 64 ;;
        esac
        """;

    public NodeServicesScriptTests()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "bin"));
        Directory.CreateDirectory(Path.Combine(_dir, "state", "active"));
        Directory.CreateDirectory(Path.Combine(_dir, "state", "enabled"));
        var systemctl = Path.Combine(_dir, "bin", "systemctl");
        File.WriteAllText(systemctl, FakeSystemctl.Replace("\r", "", StringComparison.Ordinal) + "\n");
        File.SetUnixFileMode(systemctl, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.WriteAllText(Path.Combine(_dir, "state", "wants"), "munge.service slurmd.service home.mount\n");
    }

    private (int Code, string Output, string[] Calls) Run(params string[] arguments)
    {
        var calls = Path.Combine(_dir, "state", "calls");
        File.Delete(calls);
        var script = Path.Combine(RepositoryPaths.AnsibleDirectory, "roles", "common", "files", "node-services");
        var (code, output) = AnsibleTools.Run("/bin/sh", _dir, new Dictionary<string, string>
        {
            ["PATH"] = Path.Combine(_dir, "bin") + ":/usr/bin:/bin",
            ["FAKE_STATE"] = Path.Combine(_dir, "state"),
        }, [script, .. arguments]);
        return (code, output, File.Exists(calls) ? File.ReadAllLines(calls) : []);
    }

    private bool Active(string unit) => File.Exists(Path.Combine(_dir, "state", "active", unit));

    [Fact]
    public void A_first_run_enables_and_starts_the_target_without_a_daemon_reload_and_restarts_nothing()
    {
        // The first apply: files.yml changed everything, but nothing runs yet.
        var run = Run("vhpc-worker.target", "restart:munge.service");
        Assert.Equal(0, run.Code);
        Assert.Equal(["enabled vhpc-worker.target", "started vhpc-worker.target munge.service slurmd.service home.mount"],
            run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain(run.Calls, c => c.StartsWith("restart", StringComparison.Ordinal));
        // The units were loaded at boot: a daemon reload (enable's default) costs seconds on a TCG guest.
        Assert.Contains("enable --quiet --no-reload vhpc-worker.target", run.Calls);
        Assert.True(Active("slurmd.service"));
    }

    [Fact]
    public void A_run_with_everything_in_place_prints_nothing()
    {
        Run("vhpc-worker.target");
        var again = Run("vhpc-worker.target");
        Assert.Equal(0, again.Code);
        Assert.Equal("", again.Output);
        Assert.DoesNotContain(again.Calls, c => c.StartsWith("start", StringComparison.Ordinal) || c.StartsWith("enable", StringComparison.Ordinal));
    }

    [Fact]
    public void Changed_configuration_restarts_or_reloads_only_running_units()
    {
        Run("vhpc-worker.target");
        var run = Run("vhpc-worker.target", "restart:munge.service", "reload:home.mount", "restart:not-running.service");
        Assert.Equal(0, run.Code);
        Assert.Equal(["restarted munge.service", "reloaded home.mount"], run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("restart not-running.service", run.Calls);
    }

    [Fact]
    public void A_unit_stopped_by_hand_is_started_again_through_the_target()
    {
        Run("vhpc-worker.target");
        File.Delete(Path.Combine(_dir, "state", "active", "slurmd.service"));
        var run = Run("vhpc-worker.target");
        Assert.Equal(["started slurmd.service"], run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("start vhpc-worker.target", run.Calls);
        Assert.True(Active("slurmd.service"));
    }

    [Fact]
    public void An_unknown_action_fails_before_touching_anything()
    {
        var run = Run("vhpc-worker.target", "stop:munge.service");
        Assert.Equal(2, run.Code);
        Assert.Contains("unknown action 'stop'", run.Output, StringComparison.Ordinal);
        Assert.Empty(run.Calls);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
