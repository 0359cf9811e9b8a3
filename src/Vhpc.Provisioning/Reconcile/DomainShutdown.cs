using Vhpc.Libvirt;

namespace Vhpc.Provisioning.Reconcile;

/// <summary>
/// The wait after a clean shutdown request (<c>virDomainShutdown</c>, ACPI): shared by a suspend of an
/// elastic worker and by the replacement of a running domain, which each ask and force in their own way.
/// </summary>
internal static class DomainShutdown
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Waits until <paramref name="domain"/> is no longer active, at most <paramref name="timeout"/>.
    /// True when it stopped; false when it still runs and the caller powers it off.
    /// </summary>
    public static async Task<bool> WaitUntilStoppedAsync(Domain domain, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        while (domain.IsActive)
        {
            if (time.GetElapsedTime(started) >= timeout)
            {
                return false;
            }

            await Task.Delay(Poll, time, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }
}
