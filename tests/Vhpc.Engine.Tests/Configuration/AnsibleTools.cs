using System.Diagnostics;

namespace Vhpc.Engine.Tests.Configuration;

/// <summary>Finds the Ansible tools; a test that needs one fails with what to install.</summary>
internal static class AnsibleTools
{
    public static string Require(string tool, string package)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var path = Path.Combine(dir, tool);
            if (File.Exists(path))
                return path;
        }
        Assert.Fail($"{tool} is not installed: run `apt-get install {package}` (tests/env/up.sh installs it).");
        return "";
    }

    public static (int ExitCode, string Output) Run(string fileName, string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var a in arguments)
            startInfo.ArgumentList.Add(a);
        if (environment is not null)
        {
            foreach (var (k, v) in environment)
                startInfo.Environment[k] = v;
        }
        using var process = Process.Start(startInfo)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
