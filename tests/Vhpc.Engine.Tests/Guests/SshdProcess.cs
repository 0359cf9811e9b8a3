using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Guests;

/// <summary>
/// A real OpenSSH sshd on 127.0.0.1 with a private port, its own host key and a temporary
/// authorized_keys, started inside the test namespace and stopped by its pid.
/// </summary>
internal sealed class SshdProcess : IDisposable
{
    private readonly StringBuilder _log = new();
    private Process? _process;

    public SshdProcess(string directory)
    {
        if (!File.Exists("/usr/sbin/sshd"))
        {
            Assert.Fail("/usr/sbin/sshd is missing: install openssh-server (tests/env/up.sh installs it).");
        }

        Directory = directory;
        System.IO.Directory.CreateDirectory(directory);
        Port = FreePort();
        HostKeyPath = Path.Combine(directory, "ssh_host_ed25519_key");
        AuthorizedKeysPath = Path.Combine(directory, "authorized_keys");
        ConfigPath = Path.Combine(directory, "sshd_config");
        RegenerateHostKey();
        File.WriteAllText(AuthorizedKeysPath, string.Empty);
        File.WriteAllText(ConfigPath, string.Join('\n',
            "ListenAddress 127.0.0.1",
            $"HostKey {HostKeyPath}",
            $"AuthorizedKeysFile {AuthorizedKeysPath}",
            "PidFile none",
            "StrictModes no",
            "UsePAM no",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "PermitRootLogin prohibit-password",
            "LogLevel VERBOSE",
            string.Empty));
    }

    public string Directory { get; }

    public int Port { get; }

    public string HostKeyPath { get; }

    public string AuthorizedKeysPath { get; }

    public string ConfigPath { get; }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public string HostPublicKey => File.ReadAllText(HostKeyPath + ".pub").Trim();

    public void Authorize(string publicKeyLine) => File.WriteAllText(AuthorizedKeysPath, publicKeyLine + "\n");

    public void RegenerateHostKey()
    {
        File.Delete(HostKeyPath);
        File.Delete(HostKeyPath + ".pub");
        ProcessRunner.RunChecked("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "vhpc-test-host", "-f", HostKeyPath);
    }

    public void Start()
    {
        // Debian's sshd insists on its privilege separation directory, which only its init script creates.
        System.IO.Directory.CreateDirectory("/run/sshd");
        lock (_log)
        {
            _log.Clear();
        }

        var info = new ProcessStartInfo("ip")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "netns", "exec", TestEnvironment.NetworkNamespace, "/usr/sbin/sshd", "-D", "-e", "-f", ConfigPath,
                     "-p", Port.ToString(CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(argument);
        }

        _process = Process.Start(info) ?? throw new InvalidOperationException("sshd did not start");
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!Log.Contains("Server listening", StringComparison.Ordinal))
        {
            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                Assert.Fail($"sshd did not start listening on 127.0.0.1:{Port}: {Log}");
            }

            Thread.Sleep(50);
        }
    }

    public void Stop()
    {
        if (_process is { HasExited: false })
        {
            // Only the sshd this test started, by its pid (ip netns exec execs sshd in place).
            _process.Kill();
            _process.WaitForExit(5000);
        }

        _process?.Dispose();
        _process = null;
    }

    public void Dispose() => Stop();

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
