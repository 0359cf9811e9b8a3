namespace Vhpc.Guests.Ssh;

/// <summary>An authenticated SSH connection whose host key has been checked.</summary>
public interface ISshSession : IDisposable
{
    SshTarget Target { get; }

    /// <summary>Runs one command; cancelling the token abandons it (the channel is closed).</summary>
    Task<SshCommandResult> RunAsync(string command, CancellationToken cancellationToken);
}
