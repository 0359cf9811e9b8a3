using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Vhpc.Control.Client;
using Vhpc.Control.Protocol;
using Vhpc.Testing;

namespace Vhpc.Daemon.Tests.Support;

/// <summary>
/// The built vhpcd running in the foreground as a child process, stopped by signals to its pid.
/// With <c>underSystemd</c> its parent is a shell that renamed itself "systemd" (/proc/self/comm):
/// that is how Microsoft.Extensions.Hosting.Systemd 10 decides it runs under systemd (parent's comm,
/// or PID 1 with NOTIFY_SOCKET), so AddSystemd() switches on journald logs and sd_notify.
/// </summary>
internal sealed class DaemonProcess : IAsyncDisposable
{
    private const string SystemdParent = "printf systemd > /proc/$$/comm; \"$@\" & echo $!; wait $!; exit $?";

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly TaskCompletionSource<int> _pid = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly bool _underSystemd;

    private DaemonProcess(Process process, bool underSystemd, string socketPath)
    {
        _process = process;
        _underSystemd = underSystemd;
        Client = new ControlClient(socketPath);
        if (!underSystemd)
        {
            _pid.SetResult(process.Id);
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public ControlClient Client { get; }

    public IReadOnlyCollection<string> Lines => _lines;

    public string Output => string.Join('\n', _lines);

    public static DaemonProcess Start(DaemonLayout layout, bool underSystemd = false, string? notifySocket = null, string[]? arguments = null)
    {
        var start = new ProcessStartInfo(underSystemd ? "bash" : Built.Vhpcd)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (underSystemd)
        {
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(SystemdParent);
            start.ArgumentList.Add("systemd");
            start.ArgumentList.Add(Built.Vhpcd);
        }

        foreach (var argument in arguments ?? layout.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment.Remove("NOTIFY_SOCKET");
        start.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
        foreach (var proxy in new[] { "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY" })
        {
            // Image downloads in these tests come from 127.0.0.1 in the test namespace, never through a proxy.
            start.Environment.Remove(proxy);
        }

        if (notifySocket is not null)
        {
            start.Environment["NOTIFY_SOCKET"] = notifySocket;
        }

        return new DaemonProcess(Process.Start(start)!, underSystemd, layout.SocketPath);
    }

    public Task<int> PidAsync() => _pid.Task.WaitAsync(TimeSpan.FromSeconds(10));

    public async Task SignalAsync(string signal)
    {
        var pid = await PidAsync();
        var result = await ProcessRunner.RunAsync("kill", [$"-{signal}", pid.ToString(CultureInfo.InvariantCulture)]);
        Assert.True(result.ExitCode == 0, $"kill -{signal} {pid}: {result.Error}");
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"vhpcd did not exit within {timeout.TotalSeconds} s; output:\n{Output}");
        }

        return _process.ExitCode;
    }

    /// <summary>Waits until vhpcd answers `list` on its socket (it binds before reporting ready).</summary>
    public async Task<IReadOnlyList<ClusterSummary>> WaitUntilServingAsync(TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            if (_process.HasExited)
            {
                throw new Xunit.Sdk.XunitException($"vhpcd exited with {_process.ExitCode} before serving; output:\n{Output}");
            }

            try
            {
                var list = await Client.RequestAsync(new ControlRequest(ControlCommand.List));
                return list.Clusters!;
            }
            catch (DaemonUnreachableException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    public async Task<string> WaitForLineAsync(Func<string, bool> predicate, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (_lines.FirstOrDefault(predicate) is { } line)
            {
                return line;
            }

            await Task.Delay(50);
        }

        throw new Xunit.Sdk.XunitException($"vhpcd never logged {what} within {timeout.TotalSeconds} s; output:\n{Output}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            if (_pid.Task.IsCompletedSuccessfully)
            {
                await ProcessRunner.RunAsync("kill", ["-KILL", _pid.Task.Result.ToString(CultureInfo.InvariantCulture)]);
            }

            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        if (_underSystemd && !_pid.Task.IsCompleted && int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            _pid.TrySetResult(pid);
            return;
        }

        _lines.Enqueue(line);
    }
}
