namespace Vhpc.Libvirt;

/// <summary>
/// One lifecycle event. <paramref name="Detail"/> is libvirt's per-event detail code
/// (e.g. for Stopped: 0 shutdown, 1 destroyed, 2 crashed, 5 failed).
/// </summary>
public sealed record DomainLifecycleEvent(string DomainName, DomainLifecycleEventType Event, int Detail);
