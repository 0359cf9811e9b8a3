namespace Vhpc.Guests.Ssh;

/// <summary>
/// Runs a command on a guest that is already known to be up (status, Slurm checks, tests). One
/// connection attempt per call: waiting for a booting guest is <see cref="SshReadinessWaiter"/>'s job.
/// </summary>
public interface ISshCommandRunner
{
    Task<SshCommandResult> RunAsync(SshTarget target, string command, CancellationToken cancellationToken);
}
