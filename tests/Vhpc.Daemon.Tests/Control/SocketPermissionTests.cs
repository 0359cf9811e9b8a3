using Vhpc.Cli;
using Vhpc.Cli.Commands;
using Vhpc.Daemon.Tests.Support;
using Vhpc.Testing;

namespace Vhpc.Daemon.Tests.Control;

/// <summary>The control socket: mode 0660, the configured group, and SO_PEERCRED refusing other users.</summary>
[Tier(TestTier.Libvirtd)]
public sealed class SocketPermissionTests
{
    private const uint UsersGid = 100;

    [Fact]
    public async Task Socket_is_created_with_mode_0660_and_the_configured_group_and_no_staging_left()
    {
        using var layout = new DaemonLayout();
        await using var daemon = await InProcessDaemon.Build(layout).StartAsync();

        var info = new UnixFileInfo(layout.SocketPath);
        Assert.True(info.IsSocket, $"{layout.SocketPath} is not a socket");
        Assert.Equal("660", info.OctalMode);
        Assert.Equal(UsersGid, info.GroupId);
        Assert.Empty(Directory.GetFileSystemEntries(Path.GetDirectoryName(layout.SocketPath)!, ".vhpcd-*"));
    }

    [Fact]
    public async Task Another_user_outside_the_group_cannot_connect()
    {
        using var layout = new DaemonLayout();
        await using var daemon = await InProcessDaemon.Build(layout).StartAsync();

        var (code, _, err) = await AsNobody(["--clear-groups"], "list", layout.SocketPath);
        Assert.Equal(ExitCodes.PermissionDenied, code);
        Assert.Contains("permission denied", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_access_denied_hint_names_the_group_the_socket_was_given()
    {
        // Before: the hint always said "usermod -aG vhpc", whatever Vhpcd:SocketGroup was.
        using var layout = new DaemonLayout();
        await using var daemon = await InProcessDaemon.Build(layout).StartAsync();

        var (code, _, err) = await AsNobody(["--clear-groups"], "list", layout.SocketPath);
        Assert.Equal(ExitCodes.PermissionDenied, code);
        Assert.Contains("join its group users (usermod -aG users $USER", err, StringComparison.Ordinal);
        Assert.DoesNotContain("vhpc $USER", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Peer_credentials_refuse_another_user_even_if_the_socket_mode_were_opened_up()
    {
        using var layout = new DaemonLayout();
        await using var daemon = await InProcessDaemon.Build(layout).StartAsync();
        File.SetUnixFileMode(layout.SocketPath, (UnixFileMode)0b110_110_110);

        var (code, _, err) = await AsNobody(["--clear-groups"], "list", layout.SocketPath);
        Assert.True(code == ExitCodes.PermissionDenied, $"exit {code}: {err}");
        Assert.Contains("only root and members of group 'users'", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_member_of_the_socket_group_is_served()
    {
        using var layout = new DaemonLayout();
        layout.WriteCluster("c1.yaml", "name: c1\n");
        await using var daemon = await InProcessDaemon.Build(layout).StartAsync();

        var (code, output, err) = await AsNobody([$"--groups={UsersGid}"], "list", layout.SocketPath);
        Assert.True(code == 0, err);
        Assert.Contains("c1", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_daemon_on_the_same_socket_refuses_to_start_and_a_stale_socket_is_replaced()
    {
        using var layout = new DaemonLayout();
        await using (var first = await InProcessDaemon.Build(layout).StartAsync())
        {
            await using var second = InProcessDaemon.Build(layout);
            var ex = await Assert.ThrowsAsync<Vhpc.Daemon.FatalStartupException>(() => second.StartAsync());
            Assert.Contains("another vhpcd already listens", ex.Message, StringComparison.Ordinal);
        }

        // A socket file nobody listens on (left by a crash) is replaced.
        // (.NET unlinks a socket file when its socket is disposed, so python leaves one behind instead.)
        var stale = await ProcessRunner.RunAsync("python3", ["-c", $"import socket; socket.socket(socket.AF_UNIX).bind('{layout.SocketPath}')"]);
        Assert.True(stale.ExitCode == 0, stale.Error);

        Assert.True(File.Exists(layout.SocketPath));
        await using var third = await InProcessDaemon.Build(layout).StartAsync();
        var list = await third.Client.RequestAsync(new Vhpc.Control.Protocol.ControlRequest(Vhpc.Control.Protocol.ControlCommand.List));
        Assert.Equal(Vhpc.Control.Protocol.ControlMessageKind.Result, list.Kind);
    }

    private static Task<ProcessResult> AsNobody(string[] groups, string command, string socket) =>
        ProcessRunner.RunAsync("setpriv", ["--reuid=65534", "--regid=65534", .. groups, "--", Built.Vhpc, command, "--socket", socket],
            environment: new Dictionary<string, string?> { ["DOTNET_CLI_HOME"] = "/tmp", ["HOME"] = "/tmp" });
}
