using Vhpc.Engine.Plans;
using Vhpc.Spec;
using Vhpc.Spec.Layout;

namespace Vhpc.Provisioning.Planning;

/// <summary>What one libvirt host held when it was read, or why it could not be read.</summary>
/// <param name="Unreachable">True when no connection could be opened (as opposed to one that failed while reading).</param>
internal sealed record HostSurvey(HostSpec Host, ActualState? Actual, string? Error, bool Unreachable = false)
{
    public bool Readable => Actual is not null;
}

/// <summary>
/// One host's share of an apply: the layout of the nodes placed on it, and its plan (null when the host
/// could not be read). <see cref="Releases"/>: no node of the cluster is placed there, so whatever the
/// cluster still has on it (pool, base image, network, leftovers) is removed as destroy would.
/// </summary>
internal sealed record HostPlan(HostSpec Host, ClusterLayout Layout, bool Releases, ClusterPlan? Plan, string? Error);

/// <summary>The placement, each host's plan, and the whole plan as `vhpc plan` shows it.</summary>
internal sealed record HostsPlan(PlacementDecision Placement, IReadOnlyList<HostPlan> Hosts, ClusterPlan Plan)
{
    /// <summary>Nodes that cannot be made now, with the reason (not placed: a host could not be read).</summary>
    public IReadOnlyDictionary<string, string> UnplacedNodes { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// Plans a cluster over its hosts, from what each host holds; pure like <see cref="ClusterPlanner"/>, which
/// it runs once per host. Where a node lives is read, not remembered: the host whose libvirt holds its
/// domain (the cluster's mark). <see cref="NodePlacement"/> keeps those where they are and places the rest;
/// then each host gets the plan for the nodes placed on it. Blocking problems (one node's domain on two
/// hosts, a cluster that does not fit, conflicts on any host) are the whole plan's conflicts: apply then
/// changes nothing on any host. A host that could not be read gets no plan at all: its objects are not
/// absent, only unknown, so nothing is made, replaced or removed for them.
/// </summary>
internal static class HostsPlanner
{
    /// <param name="powerOn">A resume: the on-demand workers to start; only they and the shared objects are planned, nothing is released.</param>
    public static HostsPlan PlanApply(ClusterLayout layout, IReadOnlyList<HostSurvey> surveys, IReadOnlySet<string>? powerOn = null)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(surveys);
        var conflicts = new List<string>();
        var existing = NodesFound(layout, surveys, conflicts);
        var unreadable = surveys.Where(s => !s.Readable).Select(s => s.Host.Name).ToHashSet(StringComparer.Ordinal);
        var placement = NodePlacement.Place(layout, existing, unreadable);
        if (placement.Refusal is { } refusal)
        {
            conflicts.Add("placement: " + refusal);
        }

        var hosts = new List<HostPlan>();
        foreach (var survey in surveys)
        {
            var nodes = placement.NodesOn(survey.Host.Name);
            var hostLayout = layout.OnHost(survey.Host, nodes);
            if (survey.Actual is not { } actual)
            {
                hosts.Add(new HostPlan(survey.Host, hostLayout, false, null, survey.Error));
                continue;
            }

            var releases = nodes.Count == 0 && layout.Hosts.Count > 1 && powerOn is null;
            var plan = releases ? ClusterPlanner.PlanDestroy(hostLayout, actual)
                : powerOn is not null ? ClusterPlanner.PlanPowerOn(hostLayout, actual, powerOn)
                : ClusterPlanner.PlanApply(hostLayout, actual);
            conflicts.AddRange(plan.Conflicts.Select(c => Prefixed(layout, survey.Host, c)));
            hosts.Add(new HostPlan(survey.Host, hostLayout, releases, plan, null));
        }

        var unplaced = placement.Nodes.Where(n => n.Host is null && unreadable.Count > 0)
            .ToDictionary(n => n.Node.Name, n => n.Reason, StringComparer.Ordinal);
        return new HostsPlan(placement, hosts, Merge(layout, hosts, conflicts) with
        {
            Placement = placement.Nodes.Select(n => new PlannedPlacement(n.Node.Name, n.Host, n.Reason)).ToList(),
            Hosts = hosts.Select(h => Describe(layout, h, placement)).ToList(),
        })
        {
            UnplacedNodes = unplaced,
        };
    }

    /// <summary>
    /// The cluster's nodes by the host holding their domain. A node whose domain is on two hosts is a
    /// conflict (two host entries naming one libvirt host, or a copy made by hand): nothing is planned
    /// while it lasts, and the node counts as where its mark says it was placed.
    /// </summary>
    public static Dictionary<string, string> NodesFound(ClusterLayout layout, IReadOnlyList<HostSurvey> surveys, List<string> conflicts)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(surveys);
        ArgumentNullException.ThrowIfNull(conflicts);
        var inSpec = layout.ClusterNodes.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        var found = surveys.Where(s => s.Readable)
            .SelectMany(s => s.Actual!.Domains
                .Where(d => d.Mark is { } mark && mark.Cluster == layout.Cluster && mark.Node == d.Name && inSpec.Contains(d.Name))
                .Select(d => (Node: d.Name, s.Host, d.Mark!)))
            .GroupBy(f => f.Node, StringComparer.Ordinal);
        var existing = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var node in found)
        {
            var places = node.ToList();
            if (places.Count > 1)
            {
                var marked = places.Select(p => p.Item3.Host).FirstOrDefault(h => h is not null);
                conflicts.Add($"node {node.Key} has a domain on {string.Join(" and ", places.Select(p => $"{p.Host.Name} ({p.Host.Connect})"))}"
                    + (marked is null ? "" : $", placed on {marked}")
                    + ": two host entries name the same libvirt host, or the domain was copied; nothing is changed until one is gone");
            }

            existing[node.Key] = places.FirstOrDefault(p => p.Host.Name == p.Item3.Host).Host?.Name ?? places[0].Host.Name;
        }

        return existing;
    }

    /// <summary>The text `vhpc plan` shows for a host that could not be read: the error and what was not read there.</summary>
    public static string NotRead(ClusterLayout layout, HostSpec host, string error) =>
        $"could not be read ({error}); not read there: storage pool {layout.PoolName} and its volumes (base image {layout.BaseVolumeName}, "
        + $"the nodes' disks and seeds), network {layout.NetworkName} and the cluster's domains; nothing is changed on {host.Name}, "
        + "and no node that may live there is made elsewhere";

    private static PlannedHost Describe(ClusterLayout layout, HostPlan host, PlacementDecision placement) =>
        new(host.Host.Name, host.Host.Connect,
            host.Error is null ? placement.Hosts.First(u => u.Host.Name == host.Host.Name).Describe() + (host.Releases ? "; no node placed here: the cluster's objects here are removed" : "") : null,
            host.Error is null ? null : NotRead(layout, host.Host, host.Error));

    /// <summary>Every host's actions in one plan, hosts in their listed order; actions carry their host when the spec names hosts.</summary>
    private static ClusterPlan Merge(ClusterLayout layout, List<HostPlan> hosts, List<string> conflicts) =>
        new(layout.Cluster, hosts.Where(h => h.Plan is not null)
            .SelectMany(h => h.Plan!.Actions.Select(a => layout.NamesHosts ? a with { Host = h.Host.Name } : a))
            .ToList())
        {
            Conflicts = conflicts,
        };

    private static string Prefixed(ClusterLayout layout, HostSpec host, string conflict) =>
        layout.NamesHosts ? $"{host.Name}: {conflict}" : conflict;
}
