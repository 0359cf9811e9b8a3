using System.Diagnostics;
using System.Text;
using Vhpc.Testing;
using Xunit.Sdk;

namespace Vhpc.Seed.Tests.Readers;

/// <summary>
/// Runs an independent ISO reader. A tool that is not installed fails the test with the package to
/// install: these tests are the proof that our images are readable, so they never skip.
/// </summary>
internal static class ExternalTool
{
    public static string Locate(string tool, string package) => ProcessRunner.Locate(tool, package);

    public sealed record Result(int ExitCode, byte[] Stdout, string Stderr)
    {
        public string Text => Encoding.UTF8.GetString(Stdout);
    }

    public static Result Run(string tool, string package, params string[] arguments) =>
        RunIn(null, tool, package, arguments);

    public static Result RunIn(string? workingDirectory, string tool, string package, params string[] arguments)
    {
        var start = new ProcessStartInfo(Locate(tool, package))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["LC_ALL"] = "C.UTF-8";
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        using var stdout = new MemoryStream();
        process.StandardOutput.BaseStream.CopyTo(stdout);
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            throw new XunitException($"{tool} {string.Join(' ', arguments)} did not finish within 120 s.");
        }

        return new Result(process.ExitCode, stdout.ToArray(), stderr.Result);
    }

    /// <summary>Runs and requires exit code 0, reporting stderr otherwise.</summary>
    public static Result RunOk(string tool, string package, params string[] arguments)
    {
        var result = Run(tool, package, arguments);
        if (result.ExitCode != 0)
        {
            throw new XunitException(
                $"{tool} {string.Join(' ', arguments)} exited {result.ExitCode}: {result.Stderr}{result.Text}");
        }

        return result;
    }
}
