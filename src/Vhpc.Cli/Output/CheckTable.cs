using System.Globalization;
using System.Text;
using Vhpc.Control.Protocol;

namespace Vhpc.Cli.Output;

/// <summary>
/// `vhpc check`'s table: one row per check and node with its time and result, then every failure in
/// full (the node, the command and its own stderr, which can span lines), then one summary line.
/// </summary>
internal static class CheckTable
{
    public static string Render(CheckInfo report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var rows = report.Checks.Select(c => (IReadOnlyList<string>)
        [
            c.Check,
            c.Node ?? "(cluster)",
            c.Passed ? "ok" : "FAILED",
            Seconds(c.DurationSeconds),
            c.Detail,
        ]);
        var text = new StringBuilder(TextTable.Render(["CHECK", "NODE", "RESULT", "TIME", "DETAIL"], rows));
        var failures = report.Checks.Where(c => !c.Passed).ToList();
        if (failures.Count > 0)
        {
            text.Append('\n');
            foreach (var failure in failures)
            {
                var lines = (failure.Error ?? failure.Detail).Split('\n');
                text.Append(failure.Check).Append(" failed on ").Append(failure.Node ?? "the cluster").Append(": ").Append(lines[0]).Append('\n');
                foreach (var line in lines.Skip(1))
                {
                    text.Append("    ").Append(line).Append('\n');
                }
            }
        }

        var failed = failures.Count;
        var summary = failed == 0
            ? $"cluster {report.Cluster}: all {report.Checks.Count} checks passed in {Seconds(report.DurationSeconds)}"
            : $"cluster {report.Cluster}: {failed} of {report.Checks.Count} checks failed ({Seconds(report.DurationSeconds)})";
        text.Append('\n').Append(summary).Append('\n');
        return text.ToString();
    }

    private static string Seconds(double seconds) => string.Create(CultureInfo.InvariantCulture, $"{seconds:F1} s");
}
