using System.Diagnostics;

namespace Vhpc.Engine.Tests.Guests;

internal sealed record ProcessResult(int ExitCode, string Output, string Error);

/// <summary>Runs a host tool to completion (ssh-keygen, ssh, stat) and captures its output.</summary>
internal static class ProcessRunner
{
    public static ProcessResult Run(string file, IEnumerable<string> arguments, TimeSpan? timeout = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{file} did not start");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromSeconds(60)))
        {
            process.Kill();
            throw new TimeoutException($"{file} {string.Join(' ', info.ArgumentList)} did not finish");
        }

        return new ProcessResult(process.ExitCode, output.Result, error.Result);
    }

    public static ProcessResult RunChecked(string file, params string[] arguments)
    {
        var result = Run(file, arguments);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed ({result.ExitCode}): {result.Error}");
        }

        return result;
    }
}
