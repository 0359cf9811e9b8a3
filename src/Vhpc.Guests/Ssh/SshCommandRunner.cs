namespace Vhpc.Guests.Ssh;

internal sealed class SshCommandRunner(ISshConnector connector) : ISshCommandRunner
{
    public async Task<SshCommandResult> RunAsync(SshTarget target, string command, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentException.ThrowIfNullOrEmpty(command);
        using var session = await connector.ConnectAsync(target, cancellationToken).ConfigureAwait(false);
        return await session.RunAsync(command, cancellationToken).ConfigureAwait(false);
    }
}
