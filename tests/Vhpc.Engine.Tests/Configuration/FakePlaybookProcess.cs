using Vhpc.Ansible;

namespace Vhpc.Engine.Tests.Configuration;

/// <summary>Plays scripted callback output per attempt and records the commands it was given.</summary>
internal sealed class FakePlaybookProcess(params (int ExitCode, string[] Lines)[] attempts) : IPlaybookProcess
{
    public List<PlaybookCommand> Commands { get; } = [];

    public Task<int> RunAsync(PlaybookCommand command, Action<string> onOutput, Action<string> onError, CancellationToken cancellationToken)
    {
        var (exitCode, lines) = attempts[Commands.Count];
        Commands.Add(command);
        foreach (var line in lines)
            onOutput(line);
        return Task.FromResult(exitCode);
    }

    public static string Start(int plays) => $$"""{"event": "playbook_start", "playbook": "site.yml", "plays": {{plays}}}""";

    public static string Result(string host, string status, int play, string task = "t", string? msg = null) =>
        $$"""{"event": "host_result", "host": "{{host}}", "play": "p", "play_index": {{play}}, "status": "{{status}}", "task": "{{task}}"{{(msg is null ? "" : $", \"msg\": \"{msg}\"")}}}""";

    public static string Stats(params (string Host, int Failures, int Unreachable)[] hosts) =>
        """{"event": "stats", "hosts": {""" + string.Join(", ", hosts.Select(h =>
            $$"""  "{{h.Host}}": {"ok": 1, "changed": 0, "failures": {{h.Failures}}, "unreachable": {{h.Unreachable}}, "skipped": 0, "rescued": 0, "ignored": 0}""")) + "}}";
}
