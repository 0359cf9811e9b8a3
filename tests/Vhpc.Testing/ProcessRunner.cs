using System.Diagnostics;

namespace Vhpc.Testing;

public sealed record ProcessResult(int ExitCode, string Output, string Error);

/// <summary>Runs a program to completion (ssh-keygen, stat, ip, vhpcd, vhpc ...) and captures its output.</summary>
public static class ProcessRunner
{
    public static ProcessResult Run(string file, IEnumerable<string> arguments, TimeSpan? timeout = null) =>
        RunAsync(file, arguments, timeout).GetAwaiter().GetResult();

    /// <summary>The path of a program on PATH (or in the sbin directories); a missing one fails the test with the package to install.</summary>
    public static string Locate(string tool, string package)
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries);
        foreach (var directory in path.Concat(["/usr/sbin", "/sbin", "/usr/bin", "/bin"]))
        {
            var candidate = Path.Combine(directory, tool);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        Assert.Fail($"'{tool}' is not installed: install {package} (apt-get install {package}; tests/env/up.sh installs it).");
        return string.Empty;
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

    /// <param name="environment">Variables to set (null values remove them) for the child only: the test process's own stay untouched.</param>
    /// <param name="input">What to write to its standard input before closing it.</param>
    /// <param name="workingDirectory">Where it runs (null: this process's working directory).</param>
    public static async Task<ProcessResult> RunAsync(string file, IEnumerable<string> arguments, TimeSpan? timeout = null,
        IReadOnlyDictionary<string, string?>? environment = null, string? input = null, string? workingDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? string.Empty,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
        }

        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', start.ArgumentList)} did not finish in time");
        }

        return new ProcessResult(process.ExitCode, await output, await error);
    }
}
