namespace Vhpc.Daemon.Power;

/// <summary>
/// A token bucket per channel: <see cref="Burst"/> lines at once, then one per <see cref="Interval"/>.
/// Slurm sends a few lines a minute (one per batch of nodes to resume or suspend); a guest that
/// writes faster is refused, and vhpcd does no work for what it refused.
/// </summary>
internal sealed class RequestRateLimiter(TimeProvider time, int burst = RequestRateLimiter.Burst, TimeSpan? interval = null)
{
    public const int Burst = 10;

    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(3);

    private readonly TimeSpan _interval = interval ?? Interval;
    private double _tokens = burst;
    private long _last = time.GetTimestamp();

    public bool TryAcquire()
    {
        var now = time.GetTimestamp();
        _tokens = Math.Min(burst, _tokens + (time.GetElapsedTime(_last, now) / _interval));
        _last = now;
        if (_tokens < 1)
        {
            return false;
        }

        _tokens--;
        return true;
    }
}
