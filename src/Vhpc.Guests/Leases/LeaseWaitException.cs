namespace Vhpc.Guests.Leases;

/// <summary>
/// A node did not get its lease. The message names the node, its MAC and what was seen; for a
/// stopped domain <see cref="ConsoleTail"/> holds the end of its serial console log.
/// </summary>
internal sealed class LeaseWaitException : Exception
{
    public LeaseWaitException(string nodeName, string mac, LeaseWaitFailure failure, string message, string? consoleTail)
        : base(consoleTail is null ? message : $"{message}\n--- console tail ---\n{consoleTail}")
    {
        NodeName = nodeName;
        Mac = mac;
        Failure = failure;
        ConsoleTail = consoleTail;
    }

    public LeaseWaitException()
    {
        NodeName = Mac = string.Empty;
    }

    public LeaseWaitException(string message)
        : base(message)
    {
        NodeName = Mac = string.Empty;
    }

    public LeaseWaitException(string message, Exception innerException)
        : base(message, innerException)
    {
        NodeName = Mac = string.Empty;
    }

    public string NodeName { get; }

    public string Mac { get; }

    public LeaseWaitFailure Failure { get; }

    public string? ConsoleTail { get; }
}
