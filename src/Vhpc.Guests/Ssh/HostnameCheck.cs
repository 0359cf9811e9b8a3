namespace Vhpc.Guests.Ssh;

/// <summary>
/// The guest must call itself what the inventory calls it, or Slurm's daemons refuse to start:
/// `hostname` must be the expected name's first label (or the whole name), and when the expected
/// name is an FQDN `hostname -f` must be exactly it.
/// </summary>
internal sealed class HostnameCheck : IGuestReadinessCheck
{
    // `hostname -f` resolves the name; bound it in case the guest's resolver has nowhere to ask.
    public const string Command = "hostname; timeout 10 hostname -f 2>/dev/null || true";

    public string Name => "hostname";

    public async Task<string> CheckAsync(ISshSession session, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(session);
        var result = await session.RunAsync(Command, cancellationToken).ConfigureAwait(false);
        return Evaluate(session.Target, result);
    }

    public static string Evaluate(SshTarget target, SshCommandResult result)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(result);
        var lines = result.StandardOutput.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var shortName = lines.Length > 0 ? lines[0] : string.Empty;
        var fqdn = lines.Length > 1 ? lines[1] : string.Empty;
        var expected = target.ExpectedHostname.TrimEnd('.');
        var expectedShort = expected.Split('.')[0];

        var shortMatches = string.Equals(shortName, expectedShort, StringComparison.OrdinalIgnoreCase)
            || string.Equals(shortName, expected, StringComparison.OrdinalIgnoreCase);
        var fqdnMatches = !expected.Contains('.', StringComparison.Ordinal)
            || string.Equals(fqdn, expected, StringComparison.OrdinalIgnoreCase);
        if (shortMatches && fqdnMatches)
        {
            return fqdn.Length > 0 ? $"hostname {shortName}, fqdn {fqdn}" : $"hostname {shortName}";
        }

        throw new ReadinessCheckFailedException(
            $"{target}: expected hostname '{expected}', but the guest reports hostname '{shortName}' and "
            + $"hostname -f '{(fqdn.Length > 0 ? fqdn : "(none)")}' (check the seed's local-hostname/fqdn and /etc/hosts).");
    }
}
