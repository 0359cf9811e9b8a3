namespace Vhpc.Guests.Ssh;

/// <summary>
/// One step of the readiness sequence run over the first working SSH connection. Throws
/// <see cref="ReadinessCheckFailedException"/> when the guest answered but is not ready in a way
/// that waiting will not fix; returns a one-line summary for the report otherwise.
/// </summary>
public interface IGuestReadinessCheck
{
    string Name { get; }

    Task<string> CheckAsync(ISshSession session, CancellationToken cancellationToken);
}
