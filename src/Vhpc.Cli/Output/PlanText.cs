using System.Globalization;
using Vhpc.Control.Protocol;

namespace Vhpc.Cli.Output;

/// <summary>
/// `vhpc plan` as text: the actions (with their host for a cluster over several hosts), where each node
/// is or goes and why, each host's share or why it could not be read, and the conflicts that make
/// apply refuse.
/// </summary>
internal static class PlanText
{
    public static string Render(PlanInfo plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var conflicts = plan.Conflicts ?? [];
        var hosts = plan.Hosts ?? [];
        var placement = plan.Placement ?? [];
        var unread = hosts.Where(h => h.Error is not null).ToList();
        var manyHosts = hosts.Count > 1 || plan.Actions.Any(a => a.Host is not null);
        var text = new System.Text.StringBuilder();

        if (plan.Actions.Count == 0 && conflicts.Count == 0 && unread.Count == 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"cluster {plan.Cluster}: up to date, nothing to do\n");
        }
        else
        {
            text.Append(CultureInfo.InvariantCulture, $"cluster {plan.Cluster}: {plan.Actions.Count} actions\n");
        }

        if (manyHosts || unread.Count > 0)
        {
            text.Append("\nhosts:\n").Append(TextTable.Render(["HOST", "CONNECT", "USE"],
                hosts.Select(h => (IReadOnlyList<string>)[h.Name, h.Connect, h.Usage ?? h.Error ?? ""])));
            if (placement.Count > 0)
            {
                text.Append("\nplacement:\n").Append(TextTable.Render(["NODE", "HOST", "WHY"],
                    placement.Select(p => (IReadOnlyList<string>)[p.Node, p.Host ?? "-", p.Reason])));
            }
        }

        if (plan.Actions.Count > 0)
        {
            if (manyHosts || unread.Count > 0)
            {
                text.Append("\nactions:\n");
            }

            text.Append(manyHosts
                ? TextTable.Render(["#", "HOST", "ACTION", "OBJECT", "NAME", "REASON"],
                    plan.Actions.Select((a, i) => (IReadOnlyList<string>)[Number(i), a.Host ?? "-", a.Kind, a.Target, a.Name, a.Reason]))
                : TextTable.Render(["#", "ACTION", "OBJECT", "NAME", "REASON"],
                    plan.Actions.Select((a, i) => (IReadOnlyList<string>)[Number(i), a.Kind, a.Target, a.Name, a.Reason])));
        }

        if (conflicts.Count > 0)
        {
            text.Append("\nconflicts (apply changes nothing while any is listed):\n");
            foreach (var conflict in conflicts)
            {
                text.Append("  - ").Append(conflict).Append('\n');
            }
        }

        return text.ToString();
    }

    private static string Number(int index) => (index + 1).ToString(CultureInfo.InvariantCulture);
}
