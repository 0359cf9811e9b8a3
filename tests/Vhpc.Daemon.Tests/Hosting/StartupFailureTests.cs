using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Vhpc.Daemon.Clusters;
using Vhpc.Daemon.Configuration;
using Vhpc.Daemon.Hosting;
using Vhpc.Daemon.Tests.Doubles;
using Vhpc.Daemon.Tests.Support;
using Vhpc.Engine;
using Vhpc.Testing;

namespace Vhpc.Daemon.Tests.Hosting;

/// <summary>Every way start-up can fail ends in a non-zero exit code and a clear log line.</summary>
[Tier(TestTier.Unit)]
public sealed class StartupFailureTests
{
    [Fact]
    public async Task Relative_paths_are_rejected_at_start_with_the_field_named_and_exit_code_78()
    {
        using var layout = new DaemonLayout();
        layout.WriteConfig("""{ "Vhpcd": { "StateDirectory": "var/lib/vhpc" } }""");
        var (code, logs) = await RunAsync(layout, [.. layout.Arguments.Where((a, i) => a != "--state-dir" && (i == 0 || layout.Arguments[i - 1] != "--state-dir"))]);

        Assert.Equal(DaemonExitCode.Configuration, code);
        Assert.Contains(logs.Entries, e => e.EventId == 4004 && e.Message.Contains("Vhpcd:StateDirectory: 'var/lib/vhpc' must be an absolute path", StringComparison.Ordinal));
        Assert.False(File.Exists(layout.SocketPath), "no socket may be left behind by a failed start");
    }

    [Fact]
    public async Task Data_annotation_rules_are_checked_by_the_generated_validator()
    {
        using var layout = new DaemonLayout();
        layout.WriteConfig("""{ "Vhpcd": { "LibvirtConnectTimeout": "00:00:00", "ConsoleTailLines": 0 } }""");
        var (code, logs) = await RunAsync(layout, layout.Arguments);

        Assert.Equal(DaemonExitCode.Configuration, code);
        Assert.Contains(logs.Entries, e => e.EventId == 4004 && e.Message.Contains("LibvirtConnectTimeout", StringComparison.Ordinal));
        Assert.Contains(logs.Entries, e => e.EventId == 4004 && e.Message.Contains("ConsoleTailLines", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("""{ "Guests": { "LeaseTimeout": "00:00:00" } }""", "LeaseTimeout")]
    [InlineData("""{ "Guests": { "Lease": { "PollInterval": "00:00:00" } } }""", "Lease.PollInterval")]
    [InlineData("""{ "Guests": { "Ssh": { "InitialDelay": "00:00:30", "MaxDelay": "00:00:05" } } }""", "Guests:Ssh:MaxDelay")]
    [InlineData("""{ "Ansible": { "MaxRetries": 99 } }""", "MaxRetries")]
    [InlineData("""{ "Images": { "StallTimeout": "00:00:00" } }""", "StallTimeout")]
    [InlineData("""{ "Libvirt": { "KeepAliveCount": 0 } }""", "KeepAliveCount")]
    public async Task An_invalid_engine_setting_stops_vhpcd_with_exit_78_naming_it(string config, string field)
    {
        using var layout = new DaemonLayout();
        layout.WriteConfig(config);
        var logs = new CapturingLoggerProvider();

        var code = await DaemonRunner.RunAsync(layout.Arguments, builder =>
        {
            EngineWiring.AddClusterEngine(builder);
            builder.Logging.AddProvider(logs);
        }, _ => null);

        Assert.Equal(DaemonExitCode.Configuration, code);
        Assert.Contains(logs.Entries, e => e.EventId == 4004 && e.Message.Contains(field, StringComparison.Ordinal));
        Assert.False(File.Exists(layout.SocketPath), "no socket may be left behind by a failed start");
    }

    [Fact]
    public async Task Clusters_directory_containing_the_state_directory_is_a_cross_field_error()
    {
        using var layout = new DaemonLayout();
        var args = layout.Arguments.ToArray();
        args[Array.IndexOf(args, "--state-dir") + 1] = layout.ClustersDirectory + "/state";
        var (code, logs) = await RunAsync(layout, args);

        Assert.Equal(DaemonExitCode.Configuration, code);
        Assert.Contains(logs.Entries, e => e.EventId == 4004 && e.Message.Contains("must not contain each other", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_missing_socket_group_is_fatal_with_the_command_that_fixes_it()
    {
        using var layout = new DaemonLayout { SocketGroup = "vts-no-such-group" };
        var (code, logs) = await RunAsync(layout, layout.Arguments);

        Assert.Equal(DaemonExitCode.Failure, code);
        Assert.Contains(logs.Entries, e => e.EventId == 4003 && e.Message.Contains("groupadd --system vts-no-such-group", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Libvirt_that_never_answers_is_fatal_after_the_connect_timeout()
    {
        using var layout = new DaemonLayout();
        layout.WriteConfig("""{ "Vhpcd": { "LibvirtConnectTimeout": "00:00:02" } }""");
        layout.WriteCluster("c1.yaml", "name: c1\n");
        var engine = new FailingStatusEngine();
        var (code, logs) = await RunAsync(layout, layout.Arguments, engine);

        Assert.Equal(DaemonExitCode.Failure, code);
        Assert.Contains(logs.Entries, e => e.EventId == 4012);
        Assert.Contains(logs.Entries, e => e.EventId == 4003 && e.Message.Contains("libvirt at test:///default (cluster c1) did not answer", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_explicit_config_file_that_does_not_exist_is_a_configuration_error()
    {
        using var layout = new DaemonLayout();
        var code = await DaemonRunner.RunAsync(["--config", layout.Root + "/missing.json"], RegisterDoubles(new FakeClusterEngine(), new CapturingLoggerProvider()), _ => null);
        Assert.Equal(DaemonExitCode.Configuration, code);
    }

    [Theory]
    [InlineData("""{ "Vhpcd": { "LibvirtConnectTimeout": "banana" } }""", "'banana' at 'Vhpcd:LibvirtConnectTimeout'")]
    [InlineData("""{ "Vhpcd": { "ConsoleTailLines": "many" } }""", "'many' at 'Vhpcd:ConsoleTailLines'")]
    [InlineData("""{ "Guests": { "WaitForSsh": "maybe" } }""", "'maybe' at 'Guests:WaitForSsh'")]
    [InlineData("""{ "Guests": { "Ssh": { "Timeout": "soon" } } }""", "'soon' at 'Guests:Ssh:Timeout'")]
    public async Task An_unparsable_settings_value_is_a_configuration_error_naming_the_field(string json, string named)
    {
        // Exit 78 (not 1): RestartPreventExitStatus=78 keeps systemd from restarting a daemon that cannot start.
        using var layout = new DaemonLayout();
        layout.WriteConfig(json);
        var logs = new CapturingLoggerProvider();
        var code = await DaemonRunner.RunAsync(layout.Arguments, builder =>
        {
            EngineWiring.AddClusterEngine(builder);
            builder.Logging.AddProvider(logs);
        }, _ => null);

        Assert.Equal(DaemonExitCode.Configuration, code);
        Assert.Contains(logs.Entries, e => e.EventId == 4004 && e.Message.Contains(named, StringComparison.Ordinal));
        Assert.False(File.Exists(layout.SocketPath), "no socket may be left behind by a failed start");
    }

    [Theory]
    [InlineData("--config")]
    [InlineData("--config=")]
    [InlineData("--socket", "/tmp/vts.sock", "--config")]
    [InlineData("--config", "--socket", "/tmp/vts.sock")]
    [InlineData("--state-dir")]
    public async Task A_switch_without_its_value_is_a_usage_error(params string[] args)
    {
        // Before: "--config" alone was ignored and vhpcd started on the default paths.
        var code = await DaemonRunner.RunAsync(args, _ => throw new InvalidOperationException("must not build a host"), _ => null);
        Assert.Equal(DaemonExitCode.Usage, code);
    }

    [Fact]
    public void The_usage_error_names_the_switch_that_needs_a_value()
    {
        Assert.Equal("'--config' needs a value", DaemonConfiguration.FindUsageError(["--config"]));
        Assert.Equal("'--config' needs a value", DaemonConfiguration.FindUsageError(["--config", "--socket", "/s"]));
        Assert.StartsWith("unknown argument '--frobnicate'", DaemonConfiguration.FindUsageError(["--frobnicate", "1"]), StringComparison.Ordinal);
        Assert.Null(DaemonConfiguration.FindUsageError(["--config", "/etc/vhpc/vhpcd.json", "--socket=/run/s"]));
    }

    [Fact]
    public async Task An_unknown_argument_is_a_usage_error()
    {
        var code = await DaemonRunner.RunAsync(["--frobnicate", "1"], _ => { }, _ => null);
        Assert.Equal(DaemonExitCode.Usage, code);
    }

    private static async Task<(int Code, CapturingLoggerProvider Logs)> RunAsync(DaemonLayout layout, string[] args, IClusterEngine? engine = null)
    {
        if (!File.Exists(layout.ConfigFile))
        {
            layout.WriteConfig("{}");
        }

        var logs = new CapturingLoggerProvider();
        var code = await DaemonRunner.RunAsync(args, RegisterDoubles(engine ?? new FakeClusterEngine(), logs), _ => null);
        return (code, logs);
    }

    private static Action<Microsoft.Extensions.Hosting.HostApplicationBuilder> RegisterDoubles(IClusterEngine engine, CapturingLoggerProvider logs) => builder =>
    {
        builder.Services.AddSingleton(engine);
        builder.Services.AddSingleton<IClusterSpecReader, LineSpecReader>();
        builder.Logging.AddProvider(logs);
    };

    private sealed class FailingStatusEngine : IClusterEngine
    {
        public Task<Vhpc.Engine.Plans.ClusterPlan> PlanAsync(Vhpc.Spec.ClusterSpec spec, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<Vhpc.Engine.ApplyResult> ApplyAsync(Vhpc.Spec.ClusterSpec spec, Vhpc.Engine.ApplyOptions options, IProgress<Vhpc.Engine.Progress.ProgressEvent> progress,
            CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<Vhpc.Engine.DestroyResult> DestroyAsync(Vhpc.Spec.ClusterSpec spec, IProgress<Vhpc.Engine.Progress.ProgressEvent> progress, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<Vhpc.Engine.Status.ClusterStatus> GetStatusAsync(Vhpc.Spec.ClusterSpec spec, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("Failed to connect socket to '/run/libvirt/libvirt-sock': No such file or directory");

        public Task<Vhpc.Engine.NodeAccess?> GetNodeAccessAsync(Vhpc.Spec.ClusterSpec spec, string node, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<Vhpc.Engine.NodeConsole?> ReadConsoleAsync(Vhpc.Spec.ClusterSpec spec, string node, int? lines, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<Vhpc.Engine.Checks.ClusterCheckReport> CheckAsync(Vhpc.Spec.ClusterSpec spec, IProgress<Vhpc.Engine.Progress.ProgressEvent> progress, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }
}
