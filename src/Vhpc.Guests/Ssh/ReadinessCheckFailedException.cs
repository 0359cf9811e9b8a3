namespace Vhpc.Guests.Ssh;

/// <summary>
/// The guest answered but is not in the wanted state (cloud-init error or degraded, wrong
/// hostname). Not transient: retrying would only delay the same answer.
/// </summary>
internal sealed class ReadinessCheckFailedException : Exception
{
    public ReadinessCheckFailedException()
    {
    }

    public ReadinessCheckFailedException(string message)
        : base(message)
    {
    }

    public ReadinessCheckFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
