using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Vhpc.Systemd.Tests.Support;
using Vhpc.Testing;
using Xunit.Abstractions;

namespace Vhpc.Systemd.Tests;

/// <summary>
/// vhpcd as a user runs it: installed by deploy/install.sh into a Debian 12 container with a real
/// systemd 252, journald, libvirtd and qemu (TCG), driven with systemctl, journalctl and vhpc. The tests
/// run in this order and build on each other (one container for all, to keep the tier short).
/// </summary>
[Tier(TestTier.Systemd)]
[Collection(SharedContainer.Name)]
[TestCaseOrderer(ByOrder.TypeName, ByOrder.AssemblyName)]
public sealed partial class InstalledServiceTests(ServiceContainer container, ITestOutputHelper output)
{
    private const string Cluster = ServiceContainer.Cluster;
    private static readonly TimeSpan ApplyTimeout = TimeSpan.FromMinutes(6);
    private static readonly string[] LibvirtUnits = ["libvirtd.service", "libvirtd.socket", "libvirtd-ro.socket", "libvirtd-admin.socket"];

    [Fact]
    [Order(1)]
    public async Task Systemctl_start_returns_only_after_READY_1_and_the_unit_is_active()
    {
        foreach (var timing in container.Timings)
        {
            output.WriteLine($"set-up {timing}");
        }

        // READY=1 waits for libvirt to answer. With libvirt held back, start must stay pending.
        await container.WriteFileAsync(ServiceContainer.ClusterFile, container.ClusterYaml(workers: 1));
        await Must(container.ExecAsync("systemctl", "stop", "vhpcd.service"));
        await Must(container.ExecAsync(["systemctl", "mask", "--runtime", "--now", .. LibvirtUnits]));
        var watch = Stopwatch.StartNew();
        await using var start = container.Start("systemctl", "start", "vhpcd.service");
        try
        {
            await ServiceContainer.WaitUntilAsync(async () => await Journal("VHPC_EVENT_ID=1004") != "", TimeSpan.FromSeconds(60),
                async () => $"vhpcd never logged that libvirt is not reachable yet (event 1004); journal:\n{await Journal()}");
            for (var i = 0; i < 10; i++)
            {
                Assert.False(start.HasExited, $"systemctl start returned while libvirt was still unreachable: {start.Output}");
                Assert.Equal("activating", await container.UnitPropertyAsync("ActiveState"));
                await Task.Delay(200);
            }
        }
        finally
        {
            await Must(container.ExecAsync(["systemctl", "unmask", "--runtime", .. LibvirtUnits]));
            await Must(container.ExecAsync("systemctl", "start", "libvirtd.service"));
        }

        var waited = watch.Elapsed;
        var code = await start.WaitForExitAsync(TimeSpan.FromSeconds(90));
        Assert.True(code == 0, $"systemctl start vhpcd exited {code}: {start.Output}\n{await Journal()}");
        output.WriteLine($"systemctl start vhpcd: pending {waited.TotalSeconds:F1} s while libvirt was masked, returned {(watch.Elapsed - waited).TotalSeconds:F1} s after libvirtd started");

        Assert.Equal("active", await container.UnitPropertyAsync("ActiveState"));
        Assert.Equal("running", await container.UnitPropertyAsync("SubState"));
        // READY=1 is sent only after the socket is bound: the first command after start is served.
        var list = await Must(container.ExecAsync("vhpc", "list"));
        Assert.Contains(Cluster, list.Out, StringComparison.Ordinal);
        // journald stores what it received asynchronously: wait for the entry rather than race it.
        await ServiceContainer.WaitUntilAsync(async () => await Journal("VHPC_EVENT_ID=4001") != "", TimeSpan.FromSeconds(10),
            async () => $"no 'vhpcd ready' entry (4001) in the journal:\n{await Journal()}");
    }

    [Fact]
    [Order(2)]
    public async Task The_unit_runs_as_user_vhpcd_with_no_capability_and_owns_its_directories()
    {
        var pid = await container.UnitPropertyAsync("MainPID");
        var identity = await Must(container.ShAsync($"ps -o user=,group= -p {pid}; id -Gn vhpcd; grep -E '^Cap(Inh|Prm|Eff|Bnd|Amb):' /proc/{pid}/status"));
        output.WriteLine(identity.Out);
        var lines = identity.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["vhpcd", "vhpcd"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("libvirt", lines[1].Split(' '));
        Assert.Contains("vhpc", lines[1].Split(' '));
        var capabilities = lines.Skip(2).ToList();
        Assert.Equal(5, capabilities.Count);
        Assert.All(capabilities, c => Assert.EndsWith("0000000000000000", c, StringComparison.Ordinal));

        var owners = await Must(container.ShAsync("stat -c '%U:%G %a %n' /var/lib/vhpc /run/vhpc /run/vhpc/vhpcd.sock"));
        Assert.Equal(["vhpcd:vhpcd 750 /var/lib/vhpc", "vhpcd:vhpcd 755 /run/vhpc", "vhpcd:vhpc 660 /run/vhpc/vhpcd.sock"],
            owners.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    [Order(3)]
    public async Task A_member_of_group_vhpc_runs_vhpc_and_a_non_member_gets_exit_4()
    {
        var member = await container.AsUserAsync(ServiceContainer.Member, TimeSpan.FromMinutes(1), "vhpc", "list");
        Assert.True(member.Code == 0, member.ToString());
        Assert.Contains(Cluster, member.Out, StringComparison.Ordinal);

        var outsider = await container.AsUserAsync(ServiceContainer.Outsider, TimeSpan.FromMinutes(1), "vhpc", "list");
        Assert.True(outsider.Code == 4, outsider.ToString());
        Assert.Contains("join its group vhpc (usermod -aG vhpc $USER", outsider.Err, StringComparison.Ordinal);
    }

    [Fact]
    [Order(4)]
    public async Task An_apply_of_tiny_guests_through_the_installed_service_converges()
    {
        var watch = Stopwatch.StartNew();
        var apply = await container.AsUserAsync(ServiceContainer.Member, ApplyTimeout, "vhpc", "apply", Cluster);
        Assert.True(apply.Code == 0, $"{apply}\n{await Journal()}");
        Assert.Contains($"cluster {Cluster} ready", apply.Out, StringComparison.Ordinal);
        output.WriteLine($"apply of 1 + 1 tiny guests: {watch.Elapsed.TotalSeconds:F1} s");

        await AssertConvergedAsync(workers: 1);
        var status = await Must(container.ExecAsync("vhpc", "status", Cluster, "--json"));
        using var document = JsonDocument.Parse(status.Out);
        foreach (var node in document.RootElement.GetProperty("nodes").EnumerateArray())
        {
            Assert.Equal("running", node.GetProperty("state").GetString());
            Assert.StartsWith("10.209.50.", node.GetProperty("address").GetString(), StringComparison.Ordinal);
            Assert.Equal("yes", node.GetProperty("configuration").GetString());
        }

        // The serial console is a volume of the pool, read through libvirt by the unprivileged vhpcd.
        var console = await Must(container.AsUserAsync(ServiceContainer.Member, TimeSpan.FromMinutes(1), "vhpc", "console", $"{Cluster}-w-01"));
        Assert.Contains("vhpc-tiny: ready 10.209.50.", console.Out, StringComparison.Ordinal);
        var volumes = await Must(container.ExecAsync("virsh", "-c", "qemu:///system", "vol-list", Cluster));
        Assert.Contains($"{Cluster}-w-01-serial.log", volumes.Out, StringComparison.Ordinal);

        // ansible-playbook (and everything it and vhpcd wrote: keys, known_hosts, its temp files) ran as vhpcd.
        var foreign = await Must(container.ShAsync("find /var/lib/vhpc ! -user vhpcd -printf '%u %p\\n'"));
        Assert.DoesNotContain("/var/lib/vhpc", foreign.Out, StringComparison.Ordinal);
    }

    [Fact]
    [Order(5)]
    public async Task Journalctl_finds_the_structured_entries_with_their_priority()
    {
        var lease = JournalEntries(await Journal($"VHPC_CLUSTER={Cluster}", $"VHPC_NODE={Cluster}-w-01", "VHPC_STEP=lease"));
        Assert.NotEmpty(lease);
        Assert.All(lease, e =>
        {
            Assert.Equal("vhpcd.service", e.GetValueOrDefault("_SYSTEMD_UNIT"));
            Assert.Equal("vhpcd", e.GetValueOrDefault("SYSLOG_IDENTIFIER"));
            Assert.Equal("6", e.GetValueOrDefault("PRIORITY"));
        });
        Assert.Contains(lease, e => e.GetValueOrDefault("VHPC_EVENT_ID") == "3100"
            && e.GetValueOrDefault("MESSAGE", "").Contains($"Node {Cluster}-w-01", StringComparison.Ordinal));

        // Warnings are PRIORITY 4: libvirt unreachable at start (the first test held it back).
        var retries = JournalEntries(await Journal("VHPC_EVENT_ID=1004"));
        Assert.NotEmpty(retries);
        Assert.All(retries, e => Assert.Equal("4", e.GetValueOrDefault("PRIORITY")));
        // Message placeholders are fields of their own (upper case), e.g. the attempt number.
        Assert.All(retries, e => Assert.Matches("^[0-9]+$", e.GetValueOrDefault("ATTEMPT", "")));
        var configure = JournalEntries(await Journal($"VHPC_CLUSTER={Cluster}", "VHPC_STEP=configure"));
        Assert.NotEmpty(configure);
    }

    [Fact]
    [Order(6)]
    public async Task Reload_with_a_broken_cluster_file_keeps_the_previous_spec_and_the_error_is_in_the_journal()
    {
        var good = container.ClusterYaml(workers: 1);
        await container.WriteFileAsync(ServiceContainer.ClusterFile, good.Replace("workers: { count: 1", "workers: { count: banana", StringComparison.Ordinal));
        // ExecReload is `vhpc reload`: systemctl returns once the files were read again, and fails for a broken one.
        var reload = await container.ExecAsync("systemctl", "reload", "vhpcd.service");
        Assert.True(reload.Code != 0, $"systemctl reload succeeded with a broken cluster file: {reload}");
        Assert.Contains("vhpcd.service failed", reload.Err, StringComparison.Ordinal);

        // No waiting: the reload is done when systemctl returns, and journald has the entries once it synced.
        var (loaded, workers, errors) = await ListAsync();
        Assert.True(loaded, "the previous good version must stay loaded");
        Assert.Equal(1, workers);
        Assert.Contains(errors, e => e.Contains("workers.count", StringComparison.Ordinal));
        await Must(container.ExecAsync("journalctl", "--sync"));
        Assert.Contains(JournalEntries(await Journal("VHPC_EVENT_ID=4102", "-p", "err")), e =>
            e.GetValueOrDefault("MESSAGE", "").StartsWith($"{ServiceContainer.ClusterFile}:", StringComparison.Ordinal)
            && e.GetValueOrDefault("MESSAGE", "").Contains("workers.count", StringComparison.Ordinal)
            && e.GetValueOrDefault("PRIORITY") == "3");
        // vhpc reload's own lines (the unit's control process, through its stdout stream) name the file too.
        await ServiceContainer.WaitUntilAsync(
            async () => JournalEntries(await Journal("SYSLOG_IDENTIFIER=vhpc")).Any(e =>
                e.GetValueOrDefault("MESSAGE", "").Contains($"{ServiceContainer.ClusterFile} (its previous version stays loaded)", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(10), async () => $"vhpc reload's output is not in the journal:\n{await Journal("SYSLOG_IDENTIFIER=vhpc")}");
        var plan = await Must(container.ExecAsync("vhpc", "plan", Cluster));
        Assert.Contains("up to date, nothing to do", plan.Out, StringComparison.Ordinal);
        Assert.Equal("active", await container.UnitPropertyAsync("ActiveState"));

        await container.WriteFileAsync(ServiceContainer.ClusterFile, good);
        await Must(container.ExecAsync("systemctl", "reload", "vhpcd.service"));
        Assert.Empty((await ListAsync()).Errors);
    }

    [Fact]
    [Order(7)]
    public async Task Systemctl_stop_in_the_middle_of_an_apply_stops_cleanly_and_the_next_start_converges()
    {
        await ScaleAsync(workers: 2);
        await using var apply = container.Start("vhpc", "apply", Cluster);
        var lease = apply.WhenLineAsync(l => l.Contains($"{Cluster}-w-02", StringComparison.Ordinal) && l.Contains("lease", StringComparison.Ordinal));
        Assert.True(await Task.WhenAny(lease, Task.Delay(TimeSpan.FromMinutes(3))) == lease, $"the apply never reached the new node's lease wait:\n{apply.Output}");

        var watch = Stopwatch.StartNew();
        await Must(container.ExecAsync(TimeSpan.FromMinutes(3), "systemctl", "stop", "vhpcd.service"));
        output.WriteLine($"systemctl stop during the lease wait took {watch.Elapsed.TotalSeconds:F1} s");
        Assert.Equal("success", await container.UnitPropertyAsync("Result"));
        Assert.Equal("0", await container.UnitPropertyAsync("ExecMainStatus"));
        Assert.Equal("inactive", await container.UnitPropertyAsync("ActiveState"));
        Assert.Equal(75, await apply.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        var state = await Must(container.ExecAsync("virsh", "-c", "qemu:///system", "domstate", $"{Cluster}-w-02"));
        Assert.Equal("running", state.Out.Trim());

        await Must(container.ExecAsync("systemctl", "start", "vhpcd.service"));
        var again = await container.ExecAsync(ApplyTimeout, "vhpc", "apply", Cluster);
        Assert.True(again.Code == 0, $"{again}\n{await Journal()}");
        await AssertConvergedAsync(workers: 2);
    }

    [Fact]
    [Order(8)]
    public async Task Kill_9_of_the_main_process_is_restarted_by_Restart_on_failure_and_an_apply_converges()
    {
        var before = await container.UnitPropertyAsync("MainPID");
        // Never "kill -9 0" (that is the caller's whole process group).
        Assert.True(int.TryParse(before, CultureInfo.InvariantCulture, out var mainPid) && mainPid > 1, $"vhpcd has no main process to kill (MainPID '{before}')");
        var restarts = int.Parse(await container.UnitPropertyAsync("NRestarts"), CultureInfo.InvariantCulture);
        await Must(container.ExecAsync("kill", "-9", before));
        await ServiceContainer.WaitUntilAsync(
            async () => await container.UnitPropertyAsync("ActiveState") == "active" && await container.UnitPropertyAsync("MainPID") is var pid && pid != before && pid != "0",
            TimeSpan.FromSeconds(60), async () => $"vhpcd did not come back after kill -9: {await container.UnitPropertyAsync("ActiveState")}\n{await Journal()}");
        Assert.Equal(restarts + 1, int.Parse(await container.UnitPropertyAsync("NRestarts"), CultureInfo.InvariantCulture));

        await ScaleAsync(workers: 1);
        var apply = await container.ExecAsync(ApplyTimeout, "vhpc", "apply", Cluster);
        Assert.True(apply.Code == 0, $"{apply}\n{await Journal()}");
        await AssertConvergedAsync(workers: 1);
        var domains = await Must(container.ExecAsync("virsh", "-c", "qemu:///system", "list", "--all", "--name"));
        Assert.DoesNotContain($"{Cluster}-w-02", domains.Out, StringComparison.Ordinal);
    }

    [Fact]
    [Order(10)]
    public async Task Systemd_analyze_security_rates_the_unit_as_the_README_says()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(container.RepositoryRoot, "README.md"));
        var claim = ReadmeExposure().Match(readme);
        Assert.True(claim.Success, "README.md does not state the unit's `systemd-analyze security` exposure (\"rates it **N.N\")");

        var analyze = await Must(container.ExecAsync("systemd-analyze", "security", "--no-pager", "vhpcd.service"));
        var rated = AnalyzeExposure().Match(analyze.Out);
        Assert.True(rated.Success, analyze.ToString());
        output.WriteLine(rated.Value);
        Assert.Equal(claim.Groups["score"].Value, rated.Groups["score"].Value);
        Assert.True(double.Parse(rated.Groups["score"].Value, CultureInfo.InvariantCulture) <= 1.5, $"exposure {rated.Value} is above the 1.5 goal");
    }

    [Fact]
    [Order(11)]
    public async Task The_netns_drop_in_runs_vhpcd_in_the_guests_namespace_as_documented()
    {
        await Must(container.ExecAsync(ApplyTimeout, "vhpc", "destroy", Cluster, "--yes"));

        // The documented host: the guests' networks in namespace "vhpc", libvirtd running inside it.
        await Must(container.ShAsync("ip netns add vhpc && ip -n vhpc link set lo up"));
        await container.WriteFileAsync("/etc/systemd/system/libvirtd.service.d/tier-netns.conf", "[Service]\nNetworkNamespacePath=/run/netns/vhpc\n");
        await Must(container.ShAsync("systemctl daemon-reload && systemctl restart libvirtd.service"));

        // The README's steps, word for word.
        await Must(container.ShAsync("install -D -m 0644 /usr/local/share/vhpc/netns.conf /etc/systemd/system/vhpcd.service.d/netns.conf"));
        await container.WriteFileAsync("/etc/vhpc/vhpcd.json", """
            {
              "Vhpcd": { "PlaybookPath": "/etc/vhpc/tier/site.yml", "NetworkNamespace": "vhpc" },
              "Guests": { "WaitForSsh": false, "LeaseTimeout": "00:03:00" }
            }

            """);
        await Must(container.ShAsync("systemctl daemon-reload && systemctl restart vhpcd"));
        try
        {
            var pid = await container.UnitPropertyAsync("MainPID");
            var namespaces = await Must(container.ShAsync($"stat -L -c %i /proc/{pid}/ns/net /run/netns/vhpc /proc/1/ns/net"));
            var inodes = namespaces.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(inodes[0] == inodes[1], $"vhpcd (pid {pid}) is not in namespace vhpc: {namespaces.Out}");
            Assert.NotEqual(inodes[2], inodes[0]);

            var apply = await container.ExecAsync(ApplyTimeout, "vhpc", "apply", Cluster);
            Assert.True(apply.Code == 0, $"{apply}\n{await Journal()}");
            await Must(container.ExecAsync("ip", "-n", "vhpc", "link", "show", "tier-br"));
            Assert.NotEqual(0, (await container.ExecAsync("ip", "link", "show", "tier-br")).Code);

            // vhpc ssh runs outside and enters the namespace: the guest answers (its port 22 is closed),
            // where from outside there would be no route at all.
            var ssh = await container.ExecAsync(TimeSpan.FromMinutes(1), "vhpc", "ssh", $"{Cluster}-m-01", "--", "true");
            Assert.NotEqual(0, ssh.Code);
            Assert.Contains("Connection refused", ssh.Err, StringComparison.Ordinal);
            var outside = await container.ExecAsync(TimeSpan.FromMinutes(1), "ssh", "-o", "BatchMode=yes", "-o", "ConnectTimeout=3", "vhpc@10.209.50.2", "true");
            Assert.DoesNotContain("Connection refused", outside.Err, StringComparison.Ordinal);

            await Must(container.ExecAsync(ApplyTimeout, "vhpc", "destroy", Cluster, "--yes"));
        }
        finally
        {
            await container.ShAsync("rm -rf /etc/systemd/system/vhpcd.service.d /etc/systemd/system/libvirtd.service.d && systemctl daemon-reload"
                + " && systemctl restart libvirtd.service && ip netns delete vhpc; systemctl restart vhpcd.service");
        }
    }

    [Fact]
    [Order(12)]
    public async Task The_installed_vhpcd_is_a_native_executable_with_no_NET_runtime_loaded()
    {
        // install.sh publishes vhpcd with Native AOT: one ELF program, no apphost + vhpcd.dll pair.
        const string Program = "/usr/local/lib/vhpc/vhpcd";
        var file = await Must(container.ShAsync($"od -An -tx1 -N4 {Program}; ls /usr/local/lib/vhpc"));
        var lines = file.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("7f 45 4c 46", lines[0].Trim());
        var installed = lines.Skip(1).Select(l => l.Trim()).ToList();
        Assert.Contains("vhpcd", installed);
        Assert.DoesNotContain("vhpcd.dll", installed);
        Assert.DoesNotContain("vhpcd.runtimeconfig.json", installed);
        Assert.DoesNotContain("vhpcd.dbg", installed);

        // The running service: no CoreCLR, no JIT, no managed assembly mapped; the program itself is.
        await container.WriteFileAsync(ServiceContainer.SettingsFile, ServiceContainer.Settings);
        await Must(container.ExecAsync("systemctl", "restart", "vhpcd.service"));
        var pid = await container.UnitPropertyAsync("MainPID");
        var maps = await Must(container.ShAsync($"awk 'NF >= 6 {{print $6}}' /proc/{pid}/maps | sort -u"));
        output.WriteLine(maps.Out);
        Assert.Contains(Program, maps.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("libcoreclr.so", maps.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("libclrjit.so", maps.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("libhostfxr.so", maps.Out, StringComparison.Ordinal);
        Assert.DoesNotContain(".dll", maps.Out, StringComparison.Ordinal);
        var rss = await Must(container.ShAsync($"grep VmRSS /proc/{pid}/status"));
        output.WriteLine($"vhpcd (native) after start: {rss.Out.Trim()}");
        Assert.Contains(Cluster, (await Must(container.ExecAsync("vhpc", "list"))).Out, StringComparison.Ordinal);
    }

    [Fact]
    [Order(13)]
    public async Task An_unparsable_settings_value_exits_78_is_not_restarted_and_the_journal_names_the_field()
    {
        var restarts = int.Parse(await container.UnitPropertyAsync("NRestarts"), CultureInfo.InvariantCulture);
        var since = (await Must(container.ExecAsync("date", "+%Y-%m-%d %H:%M:%S"))).Out.Trim();
        await container.WriteFileAsync(ServiceContainer.SettingsFile, """
            { "Vhpcd": { "PlaybookPath": "/etc/vhpc/tier/site.yml", "LibvirtConnectTimeout": "banana" } }

            """);
        try
        {
            var restart = await container.ExecAsync("systemctl", "restart", "vhpcd.service");
            Assert.True(restart.Code != 0, $"vhpcd started with an unparsable setting: {restart}");
            Assert.Equal("78", await container.UnitPropertyAsync("ExecMainStatus"));
            Assert.Equal("exit-code", await container.UnitPropertyAsync("Result"));
            // RestartSec is 5 s: past it, RestartPreventExitStatus=78 must have kept systemd from trying again.
            await Task.Delay(TimeSpan.FromSeconds(8));
            Assert.Equal("failed", await container.UnitPropertyAsync("ActiveState"));
            Assert.Equal(restarts, int.Parse(await container.UnitPropertyAsync("NRestarts"), CultureInfo.InvariantCulture));

            await Must(container.ExecAsync("journalctl", "--sync"));
            // One attempt, one entry naming the field and its value, at PRIORITY 2 (critical).
            var invalid = Assert.Single(JournalEntries(await Journal("VHPC_EVENT_ID=4004", "--since", since)));
            Assert.Contains("'banana' at 'Vhpcd:LibvirtConnectTimeout'", invalid.GetValueOrDefault("MESSAGE", ""), StringComparison.Ordinal);
            Assert.Equal("2", invalid.GetValueOrDefault("PRIORITY"));
        }
        finally
        {
            await container.WriteFileAsync(ServiceContainer.SettingsFile, ServiceContainer.Settings);
            await container.ShAsync("systemctl reset-failed vhpcd.service; systemctl start vhpcd.service");
        }

        Assert.Equal("active", await container.UnitPropertyAsync("ActiveState"));
    }

    [Fact]
    [Order(14)]
    public async Task Uninstall_purge_leaves_no_unit_user_group_file_or_directory_of_vhpcd()
    {
        await container.ShAsync($"vhpc destroy {Cluster} --yes; rm -rf /srv/tier");
        var uninstall = await Must(container.ExecAsync($"{ServiceContainer.Checkout}/deploy/uninstall.sh", "--purge"));
        output.WriteLine(uninstall.Out);

        var unit = await container.ExecAsync("systemctl", "list-unit-files", "--no-legend", "vhpcd.service");
        Assert.Equal("", unit.Out.Trim());
        Assert.Equal(4, (await container.ExecAsync("systemctl", "status", "vhpcd.service")).Code);
        Assert.Equal(2, (await container.ExecAsync("getent", "group", "vhpc")).Code);
        Assert.Equal(2, (await container.ExecAsync("getent", "passwd", "vhpcd")).Code);
        Assert.Equal(2, (await container.ExecAsync("getent", "group", "vhpcd")).Code);
        var left = await container.ShAsync(
            $"find / -xdev -path {ServiceContainer.Checkout} -prune -o -path /proc -prune -o -name '*vhpc*' -print; find /run /tmp /var/tmp /dev/shm -name '*vhpc*'");
        Assert.True(left.Out.Trim() == "", $"left behind:\n{left.Out}");
    }

    [GeneratedRegex(@"`systemd-analyze security` rates it \*\*(?<score>\d+\.\d)")]
    private static partial Regex ReadmeExposure();

    [GeneratedRegex(@"Overall exposure level for vhpcd\.service: (?<score>\d+\.\d)")]
    private static partial Regex AnalyzeExposure();

    private async Task ScaleAsync(int workers)
    {
        await container.WriteFileAsync(ServiceContainer.ClusterFile, container.ClusterYaml(workers));
        await Must(container.ExecAsync("systemctl", "reload", "vhpcd.service"));
        Assert.Equal(workers, (await ListAsync()).Workers);
    }

    private async Task AssertConvergedAsync(int workers)
    {
        var plan = await Must(container.ExecAsync("vhpc", "plan", Cluster));
        Assert.Contains("up to date, nothing to do", plan.Out, StringComparison.Ordinal);
        var running = await Must(container.ExecAsync("virsh", "-c", "qemu:///system", "list", "--name", "--state-running"));
        Assert.Equal(workers + 1, running.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(n => n.StartsWith($"{Cluster}-", StringComparison.Ordinal)));
    }

    private async Task<(bool Loaded, int Workers, IReadOnlyList<string> Errors)> ListAsync()
    {
        var list = await Must(container.ExecAsync("vhpc", "list", "--json"));
        using var document = JsonDocument.Parse(list.Out);
        var entry = document.RootElement.EnumerateArray().Single(e => e.GetProperty("file").GetString() == ServiceContainer.ClusterFile);
        return (entry.GetProperty("loaded").GetBoolean(), entry.GetProperty("workers").GetInt32(),
            [.. entry.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!)]);
    }

    /// <summary>vhpcd's journal entries matching <paramref name="matches"/>, one JSON object per line.</summary>
    private async Task<string> Journal(params string[] matches)
    {
        var journal = await container.ExecAsync(["journalctl", "-u", "vhpcd.service", "--no-pager", "-o", "json", .. matches]);
        return journal.Code == 0 ? journal.Out.Trim() : "";
    }

    private static List<Dictionary<string, string>> JournalEntries(string json) =>
        [.. json.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line =>
        {
            using var entry = JsonDocument.Parse(line);
            return entry.RootElement.EnumerateObject()
                .Where(p => p.Value.ValueKind == JsonValueKind.String)
                .ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
        })];

    private static async Task<CommandResult> Must(Task<CommandResult> command)
    {
        var result = await command;
        Assert.True(result.Code == 0, result.ToString());
        return result;
    }
}
