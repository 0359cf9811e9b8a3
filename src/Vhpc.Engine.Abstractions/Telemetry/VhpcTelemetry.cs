using System.Diagnostics;
using System.Diagnostics.Metrics;
using Vhpc.Engine.Progress;

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

    /// <summary>A provisioning step's span (a child of the current apply's), tagged with cluster, node and step.</summary>
    public static Activity? StartStep(string cluster, string? node, ProvisioningStep step)
    {
        var name = step.ToString().ToLowerInvariant();
        var activity = ActivitySource.StartActivity("vhpc." + name);
        activity?.SetTag("vhpc.cluster", cluster);
        activity?.SetTag("vhpc.node", node);
        activity?.SetTag("vhpc.step", name);
        return activity;
    }

    /// <summary>Ends a step: outcome tag and error status on its span, and its duration in <see cref="ProvisioningDuration"/>.</summary>
    public static void EndStep(Activity? activity, ProvisioningStep step, TimeSpan elapsed, bool ok)
    {
        var outcome = ok ? "ok" : "error";
        activity?.SetTag("vhpc.outcome", outcome);
        if (!ok)
        {
            activity?.SetStatus(ActivityStatusCode.Error);
        }

        ProvisioningDuration.Record(elapsed.TotalSeconds,
            new KeyValuePair<string, object?>("step", step.ToString().ToLowerInvariant()),
            new KeyValuePair<string, object?>("outcome", outcome));
    }

    /// <summary>Nodes entering a state (defining, booting, lease, ssh, configuring, ready, failed).</summary>
    public static readonly Counter<long> NodeTransitions =
        Meter.CreateCounter<long>("vhpc.node.transitions", unit: "{transition}",
            description: "Nodes entering a provisioning state.");
}
