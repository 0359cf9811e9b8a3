namespace Vhpc.Guests.Ssh;

/// <summary>Opens one SSH connection (one attempt, no retries) with host key checking.</summary>
internal interface ISshConnector
{
    /// <exception cref="HostKeyMismatchException">The host offered a key other than the recorded one.</exception>
    Task<ISshSession> ConnectAsync(SshTarget target, CancellationToken cancellationToken);
}
