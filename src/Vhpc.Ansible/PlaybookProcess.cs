using System.ComponentModel;
using System.Diagnostics;

namespace Vhpc.Ansible;

/// <summary>The real child process. Cancellation kills the whole process tree (ansible forks workers).</summary>
internal sealed class PlaybookProcess : IPlaybookProcess
{
    public async Task<int> RunAsync(PlaybookCommand command, Action<string> onOutput, Action<string> onError, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(onOutput);
        ArgumentNullException.ThrowIfNull(onError);

        var startInfo = new ProcessStartInfo(command.FileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = command.WorkingDirectory,
        };
        foreach (var argument in command.Arguments)
            startInfo.ArgumentList.Add(argument);
        foreach (var (key, value) in command.Environment)
            startInfo.Environment[key] = value;

        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException(
                $"cannot start '{command.FileName}': {e.Message}. Install ansible-core (Debian: apt-get install ansible-core)" +
                (command.FileName == "ip" ? " and iproute2" : "") + ".", e);
        }
        // ansible never prompts here (BatchMode, no vault); a closed stdin makes sure it cannot wait on one.
        process.StandardInput.Close();

        using var registration = cancellationToken.Register(() =>
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // already exited
            }
        });

        var stdout = PumpAsync(process.StandardOutput, onOutput);
        var stderr = PumpAsync(process.StandardError, onError);
        await Task.WhenAll(stdout, stderr).ConfigureAwait(false);
        await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return process.ExitCode;
    }

    private static async Task PumpAsync(StreamReader reader, Action<string> onLine)
    {
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
            onLine(line);
    }
}
