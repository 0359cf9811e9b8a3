namespace Vhpc.Guests.Leases;

/// <summary>Whether a domain runs, and a signal when it stops (lifecycle events).</summary>
public interface IDomainWatcher
{
    /// <summary>Null while the domain runs; otherwise why it does not (e.g. "shut off", "crashed", "not defined").</summary>
    string? WhyNotRunning(string domainName);

    /// <summary>
    /// Calls <paramref name="onStopped"/> (on any thread) with a reason when the domain stops,
    /// crashes, shuts down or is undefined. Dispose to unsubscribe.
    /// </summary>
    IDisposable SubscribeStopped(string domainName, Action<string> onStopped);
}
