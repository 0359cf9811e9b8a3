using Vhpc.Engine.Progress;
using Vhpc.Libvirt;
using Vhpc.Provisioning.Xml;
using Vhpc.Spec.Layout;

namespace Vhpc.Provisioning.Reconcile;

/// <summary>What executing one plan needs besides the plan: where, for which cluster, on what host.</summary>
internal sealed record ReconcileContext(Connection Connection, ClusterLayout Layout, HostPlatform Platform, IProgress<ProgressEvent> Progress);

/// <summary>How executing a plan went: per-node errors, or the error that stopped everything.</summary>
internal sealed record ReconcileResult(int ActionsCompleted, IReadOnlyDictionary<string, string> NodeErrors, string? Error)
{
    public bool Succeeded => Error is null && NodeErrors.Count == 0;
}
