namespace Vhpc.Guests.Ssh;

/// <summary>A guest that accepted SSH and passed every readiness check.</summary>
/// <param name="Elapsed">From the start of the wait to the last passed check.</param>
/// <param name="FirstConnected">From the start of the wait to the first authenticated connection.</param>
/// <param name="Attempts">Connection attempts, including the successful one.</param>
/// <param name="Checks">Check name to its one-line summary, in order.</param>
internal sealed record SshReadyResult(
    SshTarget Target,
    TimeSpan Elapsed,
    TimeSpan FirstConnected,
    int Attempts,
    IReadOnlyList<KeyValuePair<string, string>> Checks);
