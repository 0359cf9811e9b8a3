namespace Vhpc.Ansible;

/// <summary>A child process to start: program, arguments (never through a shell), environment additions.</summary>
internal sealed record PlaybookCommand(
    string FileName,
    IReadOnlyList<string> Arguments,
    IReadOnlyDictionary<string, string> Environment,
    string WorkingDirectory);
