namespace Vhpc.Guests.Ssh;

/// <summary>
/// The guest offered a host key that differs from the one recorded at first contact. Never retried:
/// either the node was recreated without its entry being forgotten, or something else answers on
/// its address.
/// </summary>
internal sealed class HostKeyMismatchException : Exception
{
    public HostKeyMismatchException(SshTarget target, HostKey offered, IReadOnlyList<HostKey> recorded)
        : base(Describe(target, offered, recorded))
    {
        Target = target;
        Offered = offered;
        Recorded = recorded;
    }

    public HostKeyMismatchException()
    {
        Recorded = [];
    }

    public HostKeyMismatchException(string message)
        : base(message)
    {
        Recorded = [];
    }

    public HostKeyMismatchException(string message, Exception innerException)
        : base(message, innerException)
    {
        Recorded = [];
    }

    public SshTarget? Target { get; }

    public HostKey? Offered { get; }

    public IReadOnlyList<HostKey> Recorded { get; }

    private static string Describe(SshTarget target, HostKey offered, IReadOnlyList<HostKey> recorded)
    {
        ArgumentNullException.ThrowIfNull(target);
        var pattern = KnownHostsFile.HostPattern(target.Host, target.Port);
        return $"Host key mismatch for {pattern}: it offered {offered}, but {target.KnownHostsPath} records "
            + $"{string.Join(", ", recorded)}. Refusing to connect. If the node was recreated, remove the old entry with "
            + $"ssh-keygen -R '{pattern}' -f {target.KnownHostsPath}; otherwise something else answers on that address.";
    }
}
