namespace Vhpc.Guests.Ssh;

/// <summary>What a remote command produced. <see cref="ExitStatus"/> is null when the command ended
/// without one (killed by a signal).</summary>
public sealed record SshCommandResult(int? ExitStatus, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitStatus == 0;
}
