using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Configuration;

/// <summary>The Ansible tools; a test that needs one fails with what to install.</summary>
internal static class AnsibleTools
{
    public static string Require(string tool, string package) => ProcessRunner.Locate(tool, package);

    /// <summary>Runs a tool in <paramref name="workingDirectory"/>; the output is stdout then stderr.</summary>
    public static (int ExitCode, string Output) Run(string fileName, string workingDirectory, IReadOnlyDictionary<string, string>? environment, params string[] arguments)
    {
        var result = ProcessRunner.RunAsync(fileName, arguments, TimeSpan.FromMinutes(10),
            environment?.ToDictionary(e => e.Key, e => (string?)e.Value), workingDirectory: workingDirectory).GetAwaiter().GetResult();
        return (result.ExitCode, result.Output + result.Error);
    }
}
