using System.Diagnostics;

namespace Vhpc.Libvirt.Tests.Support;

/// <summary>
/// A second, private libvirtd that tests may kill and restart (the shared one must never be touched).
/// It runs in its own mount namespace (tmpfs over libvirt's state directories, a minimal
/// /etc/libvirt whose libvirtd.conf puts the sockets in a host-visible temp directory) and its own
/// empty network namespace, so it cannot see or change anything of the shared daemon or the host.
/// Clients reach its test driver as test+unix:///default?socket=...
/// </summary>
internal sealed class PrivateLibvirtd : IDisposable
{
    private readonly string root;
    private Process? process;

    internal PrivateLibvirtd()
    {
        root = Directory.CreateTempSubdirectory("vtb-libvirtd-").FullName;
        Directory.CreateDirectory(Path.Combine(root, "sock"));
        Directory.CreateDirectory(Path.Combine(root, "etc"));
        File.WriteAllText(Path.Combine(root, "etc", "libvirtd.conf"), $"""
            unix_sock_dir = "{Path.Combine(root, "sock")}"
            auth_unix_rw = "none"
            auth_unix_ro = "none"
            unix_sock_rw_perms = "0700"
            """);
        // -p: never the shared daemon's /run/libvirtd.pid.
        File.WriteAllText(Path.Combine(root, "run.sh"), $"""
            set -e
            mount --make-rprivate /
            mount -t tmpfs tmpfs /run/libvirt
            mount -t tmpfs tmpfs /var/lib/libvirt
            mount -t tmpfs tmpfs /var/cache/libvirt
            mount --bind '{Path.Combine(root, "etc")}' /etc/libvirt
            exec libvirtd -f /etc/libvirt/libvirtd.conf -p /run/libvirt/libvirtd.pid
            """);
    }

    internal string SocketPath => Path.Combine(root, "sock", "libvirt-sock");

    internal string Uri => $"test+unix:///default?socket={SocketPath}";

    internal int? Pid => process is { HasExited: false } ? process.Id : null;

    /// <summary>Starts the daemon and waits until it accepts connections.</summary>
    internal void Start()
    {
        if (File.Exists(SocketPath))
        {
            File.Delete(SocketPath);
        }

        // unshare execs sh, which execs libvirtd: the started process is the daemon itself.
        var start = new ProcessStartInfo("unshare") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in new[] { "--mount", "--net", "sh", Path.Combine(root, "run.sh") })
        {
            start.ArgumentList.Add(argument);
        }

        process = Process.Start(start) ?? throw new InvalidOperationException("unshare did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        DateTime deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException(
                    $"private libvirtd exited with {process.ExitCode}: needs root, unshare (util-linux) and libvirt-daemon-system");
            }

            if (File.Exists(SocketPath))
            {
                try
                {
                    using Connection probe = Connection.Open(Uri);
                    if (probe.Close() == 0)
                    {
                        return;
                    }
                }
                catch (LibvirtException)
                {
                    // Socket created, daemon not accepting yet.
                }
            }

            Thread.Sleep(100);
        }

        Kill();
        throw new TimeoutException("private libvirtd did not accept connections within 30 s");
    }

    /// <summary>Freezes (SIGSTOP) or thaws (SIGCONT) the daemon by its pid: alive but not answering.</summary>
    internal void Signal(string signal)
    {
        int pid = Pid ?? throw new InvalidOperationException("private libvirtd is not running");
        using Process kill = Process.Start("kill", [$"-{signal}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -{signal} {pid} failed");
        }
    }

    /// <summary>Kills the daemon (SIGKILL, like a crash) by its pid and waits for it to be gone.</summary>
    internal void Kill()
    {
        if (process is { HasExited: false })
        {
            process.Kill();
            process.WaitForExit();
        }

        process?.Dispose();
        process = null;
    }

    public void Dispose()
    {
        Kill();
        Directory.Delete(root, recursive: true);
    }
}
