using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Vhpc.Engine.Telemetry;

/// <summary>
/// The one <see cref="ActivitySource"/> and the one <see cref="Meter"/> of vhpc, created once.
/// Spans: one per provisioning step per node, under one span per apply. Tags stay low-cardinality
/// (cluster, node, role, step, outcome): never an address, a path or an error message.
/// </summary>
public static class VhpcTelemetry
{
    public const string Name = "Vhpc";

    public static readonly ActivitySource ActivitySource = new(Name);

    public static readonly Meter Meter = new(Name);

    /// <summary>Seconds one provisioning step (or a whole apply, step="apply") took.</summary>
    public static readonly Histogram<double> ProvisioningDuration =
        Meter.CreateHistogram<double>("vhpc.provisioning.duration", unit: "s",
            description: "Duration of provisioning steps and whole applies.");

    /// <summary>Failed libvirt calls, tagged by libvirt error code.</summary>
    public static readonly Counter<long> LibvirtErrors =
        Meter.CreateCounter<long>("vhpc.libvirt.errors", unit: "{error}",
            description: "libvirt calls that failed.");

    /// <summary>Ansible runs repeated for unreachable hosts.</summary>
    public static readonly Counter<long> ConfigurationRetries =
        Meter.CreateCounter<long>("vhpc.configuration.retries", unit: "{retry}",
            description: "Configuration (Ansible) runs retried for unreachable hosts.");

    /// <summary>Nodes entering a state (defining, booting, lease, ssh, configuring, ready, failed).</summary>
    public static readonly Counter<long> NodeTransitions =
        Meter.CreateCounter<long>("vhpc.node.transitions", unit: "{transition}",
            description: "Nodes entering a provisioning state.");
}
