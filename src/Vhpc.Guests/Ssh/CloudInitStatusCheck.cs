using System.Text.RegularExpressions;

namespace Vhpc.Guests.Ssh;

/// <summary>
/// Waits for cloud-init to finish (<c>cloud-init status --wait --long</c>) and accepts only
/// "status: done". "error" and "degraded" (cloud-init 23.4+ reports recoverable errors so, with exit
/// code 2) fail with cloud-init's own detail. The command is configurable so that tests can exercise
/// the parsing against a host without cloud-init.
/// </summary>
internal sealed partial class CloudInitStatusCheck(string command = CloudInitStatusCheck.DefaultCommand) : IGuestReadinessCheck
{
    public const string DefaultCommand = "cloud-init status --wait --long";

    public string Name => "cloud-init";

    public string Command { get; } = command;

    public async Task<string> CheckAsync(ISshSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        var result = await session.RunAsync(Command, cancellationToken).ConfigureAwait(false);
        return Evaluate(session.Target, result);
    }

    /// <summary>Judges the output of the status command; pure, so it is tested on every variant.</summary>
    public static string Evaluate(SshTarget target, SshCommandResult result)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(result);
        if (result.ExitStatus == 127)
        {
            throw new ReadinessCheckFailedException($"{target}: cloud-init is not installed on the guest ({Trim(result.StandardError)}).");
        }

        var status = StatusLine().Match(result.StandardOutput);
        var value = status.Success ? status.Groups["status"].Value.Trim() : null;
        if (value == "done" && result.ExitStatus == 0)
        {
            var detail = DetailLines(result.StandardOutput);
            return detail.Length == 0 ? "status: done" : $"status: done ({detail})";
        }

        var what = value switch
        {
            null => "did not report a status",
            "error" => "finished with errors",
            _ when value.Contains("degraded", StringComparison.Ordinal) || result.ExitStatus == 2 => $"finished degraded ({value})",
            "running" or "not run" or "not started" => $"did not finish (status: {value})",
            _ => $"reported status '{value}'",
        };
        throw new ReadinessCheckFailedException(
            $"{target}: cloud-init {what}, exit status {result.ExitStatus?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}. "
            + $"Output: {Trim(result.StandardOutput)} {Trim(result.StandardError)}".TrimEnd()
            + " (see /var/log/cloud-init.log on the node or `vhpc console`)");
    }

    private static string DetailLines(string output)
    {
        var lines = output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var index = Array.FindIndex(lines, l => l.StartsWith("detail:", StringComparison.Ordinal));
        if (index < 0)
        {
            return string.Empty;
        }

        var inline = lines[index]["detail:".Length..].Trim();
        return inline.Length > 0 ? inline : index + 1 < lines.Length ? lines[index + 1] : string.Empty;
    }

    private static string Trim(string text)
    {
        var oneLine = text.Replace('\n', ' ').Replace('\r', ' ').Trim().Trim('.').Trim();
        return oneLine.Length <= 400 ? oneLine : oneLine[..400] + "...";
    }

    // --wait prints progress dots before the status line, sometimes on the same line.
    [GeneratedRegex(@"^[.\s]*status:\s*(?<status>[^\r\n]+)", RegexOptions.Multiline)]
    private static partial Regex StatusLine();
}
