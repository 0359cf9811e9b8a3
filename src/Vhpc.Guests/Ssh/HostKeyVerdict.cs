namespace Vhpc.Guests.Ssh;

public enum HostKeyVerdictKind
{
    /// <summary>No entry for the host: first contact.</summary>
    Unknown,

    /// <summary>The offered key is one of the recorded keys.</summary>
    Match,

    /// <summary>The host has recorded keys and the offered key is none of them (or is revoked).</summary>
    Mismatch,
}

public sealed record HostKeyVerdict(HostKeyVerdictKind Kind, IReadOnlyList<HostKey> RecordedKeys);
