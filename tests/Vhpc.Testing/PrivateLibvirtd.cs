using System.Diagnostics;
using System.Globalization;
using Vhpc.Libvirt;

namespace Vhpc.Testing;

/// <summary>
/// A private libvirtd that a test may kill, freeze and restart while its guests keep running; the
/// shared daemon is never touched. Its qemu driver (<see cref="QemuUri"/>) runs guests; its test driver
/// (<see cref="TestDriverUri"/>) serves binding tests that only need a daemon to lose. A holder
/// process (sleep) owns a new mount and network namespace with
/// tmpfs over /run/libvirt, /var/lib/libvirt and /var/cache/libvirt and a private /etc/libvirt whose
/// libvirtd.conf puts the sockets in a host-visible temp directory. virtlogd and every libvirtd
/// generation are started into those namespaces with nsenter, so a restarted daemon finds the same
/// state, the running qemu processes and their dnsmasq, exactly like a libvirtd restart on a host.
/// Guest networks live in that otherwise empty network namespace. Everything is stopped by pid.
/// </summary>
public sealed class PrivateLibvirtd : IDisposable
{
    private readonly string _root;
    private Process? _holder;
    private Process? _virtlogd;
    private Process? _libvirtd;
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _daemonOutput = new();

    private PrivateLibvirtd()
    {
        _root = Directory.CreateTempSubdirectory("vtf-libvirtd-").FullName;
        Directory.CreateDirectory(Path.Combine(_root, "sock"));
        Directory.CreateDirectory(Path.Combine(_root, "etc"));
        File.WriteAllText(Path.Combine(_root, "etc", "libvirtd.conf"), $"""
            unix_sock_dir = "{Path.Combine(_root, "sock")}"
            auth_unix_rw = "none"
            auth_unix_ro = "none"
            unix_sock_rw_perms = "0700"
            """);
        File.WriteAllText(Path.Combine(_root, "hold.sh"), $"""
            set -e
            mount --make-rprivate /
            mount -t tmpfs tmpfs /run/libvirt
            mount -t tmpfs tmpfs /var/lib/libvirt
            mount -t tmpfs tmpfs /var/cache/libvirt
            mount --bind '{Path.Combine(_root, "etc")}' /etc/libvirt
            ip link set lo up
            echo namespaces-ready
            exec sleep infinity
            """);
    }

    public string SocketPath => Path.Combine(_root, "sock", "libvirt-sock");

    public string QemuUri => $"qemu+unix:///system?socket={SocketPath}";

    public string TestDriverUri => $"test+unix:///default?socket={SocketPath}";

    /// <summary>The running libvirtd's pid, or null between generations.</summary>
    public int? LibvirtdPid => _libvirtd is { HasExited: false } process ? process.Id : null;

    /// <summary>Starts the namespaces, virtlogd and libvirtd; fails with what to install when something is missing.</summary>
    public static PrivateLibvirtd Start()
    {
        TestEnvironment.RequireRoot("a private libvirtd (mount and network namespaces)");
        foreach (var tool in new[] { "/usr/bin/unshare", "/usr/bin/nsenter", "/usr/sbin/libvirtd", "/usr/sbin/virtlogd", "/usr/bin/qemu-system-x86_64", "/usr/sbin/dnsmasq" })
        {
            Assert.True(File.Exists(tool), $"{tool} is missing: run tests/env/up.sh as root (it installs libvirt-daemon-system, qemu-system-x86, dnsmasq-base, util-linux)");
        }

        var daemon = new PrivateLibvirtd();
        try
        {
            daemon._holder = Launch("unshare", "--mount", "--net", "sh", Path.Combine(daemon._root, "hold.sh"));
            var first = daemon._holder.StandardOutput.ReadLineAsync();
            if (!first.Wait(TimeSpan.FromSeconds(10)) || first.Result != "namespaces-ready")
            {
                throw new InvalidOperationException($"the namespace holder did not start: {daemon._holder.StandardError.ReadToEnd()}");
            }

            // -p: never the shared daemons' /run/virtlogd.pid or /run/libvirtd.pid.
            daemon._virtlogd = daemon.Enter("virtlogd", "-p", "/run/libvirt/virtlogd.pid");
            daemon.StartLibvirtd();
            return daemon;
        }
        catch
        {
            daemon.Dispose();
            throw;
        }
    }

    /// <summary>Starts a libvirtd generation and waits until it answers; returns how long that took.</summary>
    public TimeSpan StartLibvirtd()
    {
        if (_libvirtd is { HasExited: false })
        {
            throw new InvalidOperationException("libvirtd already runs");
        }

        File.Delete(SocketPath);
        var watch = Stopwatch.StartNew();
        _libvirtd?.Dispose();
        _libvirtd = Enter("libvirtd", "-f", "/etc/libvirt/libvirtd.conf", "-p", "/run/libvirt/libvirtd.pid");
        while (watch.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (_libvirtd.HasExited)
            {
                throw new InvalidOperationException($"private libvirtd exited with {_libvirtd.ExitCode}: {string.Join('\n', _daemonOutput.TakeLast(20))}");
            }

            if (File.Exists(SocketPath))
            {
                try
                {
                    using var probe = Connection.Open(QemuUri);
                    _ = probe.ListDomains().Count;
                    return watch.Elapsed;
                }
                catch (LibvirtException)
                {
                    // Socket bound, drivers still starting.
                }
            }

            Thread.Sleep(100);
        }

        throw new TimeoutException("private libvirtd did not answer within 60 s");
    }

    /// <summary>Stops libvirtd (SIGTERM like `systemctl restart`, or SIGKILL like a crash) by its pid; guests keep running.</summary>
    public void StopLibvirtd(bool kill = false)
    {
        if (_libvirtd is not { HasExited: false } process)
        {
            return;
        }

        Signal(process.Id, kill ? "KILL" : "TERM");
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            Signal(process.Id, "KILL");
            process.WaitForExit();
        }
    }

    /// <summary>Freezes (SIGSTOP) or thaws (SIGCONT) libvirtd by its pid: alive but not answering.</summary>
    public void SignalLibvirtd(string signal)
    {
        var pid = LibvirtdPid ?? throw new InvalidOperationException("private libvirtd is not running");
        Signal(pid, signal);
    }

    /// <summary>Runs a command (e.g. ip link) inside the private network namespace.</summary>
    public void RunInNetworkNamespace(params string[] command)
    {
        using var process = Launch("nsenter", ["-t", HolderPid.ToString(CultureInfo.InvariantCulture), "-n", .. command]);
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{string.Join(' ', command)} in the private namespace failed ({process.ExitCode}): {error}");
        }
    }

    /// <summary>
    /// Moves a network link of the caller's namespace (one end of a veth pair) into the private network
    /// namespace, where <see cref="RunInNetworkNamespace"/> can enslave it to a bridge: how a test joins
    /// the bridges of two private libvirtds, or reaches their guests from its own namespace.
    /// </summary>
    public void AdoptLink(string link)
    {
        using var process = Launch("ip", "link", "set", link, "netns", HolderPid.ToString(CultureInfo.InvariantCulture));
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"moving {link} into the private namespace failed ({process.ExitCode}): {error}");
        }
    }

    private int HolderPid => _holder?.Id ?? throw new InvalidOperationException("the namespaces are not up");

    public void Dispose()
    {
        // Guests first (through libvirt, so their dnsmasq and taps go too), then every process left in
        // the private network namespace: only processes this class started or libvirt started for it.
        if (_libvirtd is { HasExited: false })
        {
            try
            {
                using var connection = Connection.Open(QemuUri);
                foreach (var domain in connection.ListDomains())
                {
                    using (domain)
                    {
                        if (domain.IsActive)
                        {
                            domain.Destroy();
                        }
                    }
                }

                foreach (var network in connection.ListNetworks())
                {
                    using (network)
                    {
                        if (network.IsActive)
                        {
                            network.Destroy();
                        }
                    }
                }
            }
            catch (LibvirtException)
            {
                // The processes are killed below anyway.
            }
        }

        StopLibvirtd();
        foreach (var process in new[] { _virtlogd, _libvirtd })
        {
            if (process is { HasExited: false })
            {
                Signal(process.Id, "KILL");
                process.WaitForExit();
            }

            process?.Dispose();
        }

        if (_holder is { HasExited: false } holder)
        {
            foreach (var pid in ProcessesInNamespaceOf(holder.Id).Where(p => p != holder.Id))
            {
                Signal(pid, "KILL");
            }

            Signal(holder.Id, "KILL");
            holder.WaitForExit();
        }

        _holder?.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    private static IEnumerable<int> ProcessesInNamespaceOf(int pid)
    {
        var ours = NetNamespace(pid);
        if (ours is null)
        {
            yield break;
        }

        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var candidate)
                && NetNamespace(candidate) == ours)
            {
                yield return candidate;
            }
        }
    }

    private static string? NetNamespace(int pid)
    {
        try
        {
            return new FileInfo($"/proc/{pid}/ns/net").LinkTarget;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>A daemon in the namespaces; its output is drained (a full pipe would block it) and the tail kept for errors.</summary>
    private Process Enter(string program, params string[] arguments)
    {
        var process = Launch("nsenter", ["-t", HolderPid.ToString(CultureInfo.InvariantCulture), "-m", "-n", program, .. arguments]);
        DataReceivedEventHandler keep = (_, e) =>
        {
            if (e.Data is not null)
            {
                _daemonOutput.Enqueue($"{program}: {e.Data}");
                while (_daemonOutput.Count > 200 && _daemonOutput.TryDequeue(out var _))
                {
                }
            }
        };
        process.OutputDataReceived += keep;
        process.ErrorDataReceived += keep;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static Process Launch(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
    }

    private static void Signal(int pid, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }
}
