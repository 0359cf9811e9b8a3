using System.Globalization;
using Vhpc.Guests.Keys;
using Vhpc.Guests.Ssh;
using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Guests;

/// <summary>
/// SSH readiness against a real OpenSSH sshd (started by the test, inside the namespace). Run:
/// dotnet build tests/Vhpc.Engine.Tests &amp;&amp; ip netns exec vhpc-test dotnet test tests/Vhpc.Engine.Tests --no-build
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[Tier(TestTier.Libvirtd)]
public sealed class SshReadinessSshdTests : IDisposable
{
    private readonly TempDirectory _temp = new("vtg-sshd-");
    private readonly SshdProcess _sshd;
    private readonly ClusterKeyPair _key;
    private readonly string _hostname;

    public SshReadinessSshdTests()
    {
        TestEnvironment.RequireInsideNetworkNamespace();
        _sshd = new SshdProcess(_temp.File("sshd"));
        _key = ClusterKeyPair.Ensure(_temp.File("state"), "vhpc@vtg-sshd", new ListLogger<ClusterKeyPair>());
        _sshd.Authorize(_key.PublicKey);
        _hostname = ProcessRunner.RunChecked("hostname").Output.Trim();
    }

    private string KnownHostsPath => _temp.File("state/known_hosts");

    private SshTarget Target(string? expectedHostname = null) =>
        new("127.0.0.1", _sshd.Port, "root", _key.PrivateKeyPath, KnownHostsPath, expectedHostname ?? _hostname);

    // In the sshd test the host has no cloud-init: a real command prints what cloud-init prints.
    private static SshReadinessOptions Options(string cloudInitCommand = "printf '..\\nstatus: done\\n\\ndetail:\\nDataSourceNoCloud [seed=/dev/sr0]\\n'") => new()
    {
        Timeout = TimeSpan.FromSeconds(60),
        InitialDelay = TimeSpan.FromMilliseconds(200),
        MaxDelay = TimeSpan.FromSeconds(1),
        AuthenticationGraceWindow = TimeSpan.FromSeconds(3),
        Checks = [new CloudInitStatusCheck(cloudInitCommand), new HostnameCheck()],
    };

    private readonly ListLogger<SshNetConnector> _connectorLog = new();

    private (SshReadinessWaiter Waiter, CountingConnector Connector, ListLogger<SshReadinessWaiter> Log) Waiter(SshReadinessOptions options)
    {
        var connector = new CountingConnector(new SshNetConnector(new SshConnectOptions { ConnectTimeout = TimeSpan.FromSeconds(5) },
            _connectorLog));
        var log = new ListLogger<SshReadinessWaiter>();
        return (new SshReadinessWaiter(connector, options, TimeProvider.System, log), connector, log);
    }

    [Fact]
    public async Task Connects_with_the_cluster_key_records_the_host_key_and_openssh_accepts_both()
    {
        _sshd.Start();
        var (waiter, connector, _) = Waiter(Options());

        var ready = await waiter.WaitAsync(Target(), CancellationToken.None);

        Assert.Equal(1, connector.Attempts);
        Assert.Equal("cloud-init", ready.Checks[0].Key);
        Assert.Equal("status: done (DataSourceNoCloud [seed=/dev/sr0])", ready.Checks[0].Value);
        Assert.StartsWith($"hostname {_hostname.Split('.')[0]}", ready.Checks[1].Value, StringComparison.Ordinal);

        // Recorded in OpenSSH's format, with the key sshd really has.
        var hostKeyFields = _sshd.HostPublicKey.Split(' ');
        var line = Assert.Single(File.ReadAllLines(KnownHostsPath));
        Assert.Equal($"[127.0.0.1]:{_sshd.Port} {hostKeyFields[0]} {hostKeyFields[1]}", line);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KnownHostsPath));

        // OpenSSH's client (what ansible uses) trusts the same file strictly and accepts our key file.
        var ssh = OpenSsh("echo", "via-openssh");
        Assert.True(ssh.ExitCode == 0, $"ssh failed: {ssh.Error}\nsshd: {_sshd.Log}");
        Assert.Equal("via-openssh", ssh.Output.Trim());

        // A second connection verifies against the recorded key and adds nothing.
        await waiter.WaitAsync(Target(), CancellationToken.None);
        Assert.Single(File.ReadAllLines(KnownHostsPath));
    }

    [Fact]
    public async Task A_changed_host_key_is_a_clear_error_and_is_not_retried()
    {
        _sshd.Start();
        var (waiter, connector, log) = Waiter(Options());
        await waiter.WaitAsync(Target(), CancellationToken.None);
        Assert.Contains(_connectorLog.Entries, e => e.Id.Id == 3010);
        var recorded = File.ReadAllText(KnownHostsPath);

        _sshd.Stop();
        _sshd.RegenerateHostKey();
        _sshd.Start();
        connector.Attempts = 0;

        var error = await Assert.ThrowsAsync<HostKeyMismatchException>(() => waiter.WaitAsync(Target(), CancellationToken.None));

        Assert.True(connector.Attempts == 1, $"attempts {connector.Attempts}: {log.AllText}");
        Assert.Contains($"[127.0.0.1]:{_sshd.Port}", error.Message, StringComparison.Ordinal);
        Assert.Contains(KnownHostsPath, error.Message, StringComparison.Ordinal);
        Assert.Contains("ssh-keygen -R", error.Message, StringComparison.Ordinal);
        Assert.Equal(recorded, File.ReadAllText(KnownHostsPath)); // the new key was not trusted
        Assert.Contains(_connectorLog.Entries, e => e.Id.Id == 3011 && e.Level == Microsoft.Extensions.Logging.LogLevel.Error);

        // OpenSSH agrees that the key changed.
        var ssh = OpenSsh("true");
        Assert.NotEqual(0, ssh.ExitCode);
        Assert.Contains("HOST IDENTIFICATION HAS CHANGED", ssh.Error, StringComparison.Ordinal);

        // Forgetting the entry (what the engine does when it recreates a node) allows a new first contact.
        Assert.Equal(1, new KnownHostsFile(KnownHostsPath).Forget("127.0.0.1", _sshd.Port));
        await waiter.WaitAsync(Target(), CancellationToken.None);
    }

    [Fact]
    public async Task Retries_a_refused_port_until_sshd_starts()
    {
        var (waiter, connector, log) = Waiter(Options());
        var waiting = waiter.WaitAsync(Target(), CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.False(waiting.IsCompleted);
        _sshd.Start();

        var ready = await waiting;

        Assert.True(connector.Attempts > 1, $"attempts: {connector.Attempts}");
        Assert.Equal(connector.Attempts, ready.Attempts);
        Assert.Contains(log.Entries, e => e.Id.Id == 3020 && e.Message.Contains("ConnectionRefused", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_rejected_key_is_retried_only_within_the_grace_window()
    {
        _sshd.Authorize(string.Empty);
        _sshd.Start();
        var (waiter, connector, _) = Waiter(Options());

        var error = await Assert.ThrowsAsync<GuestNotReadyException>(() => waiter.WaitAsync(Target(), CancellationToken.None));

        Assert.True(connector.Attempts > 1, $"attempts: {connector.Attempts}");
        Assert.True(connector.Attempts < 20, $"attempts: {connector.Attempts}");
        Assert.Contains("still rejected for user root", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cloud_init_errors_end_the_wait_with_its_output_and_are_not_retried()
    {
        _sshd.Start();
        var (waiter, connector, _) = Waiter(Options("printf 'status: error\\n'; echo 'module cc_foo failed' >&2; exit 1"));

        var error = await Assert.ThrowsAsync<ReadinessCheckFailedException>(() => waiter.WaitAsync(Target(), CancellationToken.None));

        Assert.Equal(1, connector.Attempts);
        Assert.Contains("cloud-init finished with errors", error.Message, StringComparison.Ordinal);
        Assert.Contains("module cc_foo failed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_hostname_is_reported_with_what_the_guest_says()
    {
        _sshd.Start();
        var (waiter, _, _) = Waiter(Options());

        var error = await Assert.ThrowsAsync<ReadinessCheckFailedException>(
            () => waiter.WaitAsync(Target("node-that-is-not-this-host.vhpc.test"), CancellationToken.None));

        Assert.Contains("expected hostname 'node-that-is-not-this-host.vhpc.test'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"reports hostname '{_hostname.Split('.')[0]}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Nothing_listening_times_out_with_the_last_error()
    {
        var options = Options();
        options.Timeout = TimeSpan.FromSeconds(3);
        var (waiter, connector, _) = Waiter(options);

        var error = await Assert.ThrowsAsync<GuestNotReadyException>(() => waiter.WaitAsync(Target(), CancellationToken.None));

        Assert.Contains("was not SSH-ready after 3 s", error.Message, StringComparison.Ordinal);
        Assert.Contains("ConnectionRefused", error.Message, StringComparison.Ordinal);
        Assert.True(connector.Attempts >= 2);
    }

    [Fact]
    public async Task The_command_runner_runs_commands_on_a_known_host()
    {
        _sshd.Start();
        var (waiter, _, _) = Waiter(Options());
        await waiter.WaitAsync(Target(), CancellationToken.None);
        var runner = new SshCommandRunner(new SshNetConnector(new SshConnectOptions(), new ListLogger<SshNetConnector>()));

        var result = await runner.RunAsync(Target(), "echo out; echo err >&2; exit 3", CancellationToken.None);

        Assert.Equal(3, result.ExitStatus);
        Assert.Equal("out\n", result.StandardOutput);
        Assert.Equal("err\n", result.StandardError);
    }

    private ProcessResult OpenSsh(params string[] command) => ProcessRunner.Run("ssh",
        [
            "-F", "/dev/null", "-i", _key.PrivateKeyPath, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
            "-o", $"UserKnownHostsFile={KnownHostsPath}", "-o", "GlobalKnownHostsFile=/dev/null",
            "-o", "StrictHostKeyChecking=yes", "-p", _sshd.Port.ToString(CultureInfo.InvariantCulture), "root@127.0.0.1",
            .. command,
        ]);

    public void Dispose()
    {
        _sshd.Dispose();
        _temp.Dispose();
    }

    private sealed class CountingConnector(ISshConnector inner) : ISshConnector
    {
        public int Attempts { get; set; }

        public Task<ISshSession> ConnectAsync(SshTarget target, CancellationToken cancellationToken)
        {
            Attempts++;
            return inner.ConnectAsync(target, cancellationToken);
        }
    }
}
