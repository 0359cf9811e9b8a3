using System.Globalization;
using Vhpc.Control.Protocol;

namespace Vhpc.Cli.Output;

/// <summary>
/// One line per progress event: time since the command started, node, step in words (defining,
/// booting, lease, SSH, configuring), outcome and how long the step took.
/// </summary>
internal static class ProgressLine
{
    public static string Format(ProgressInfo progress, TimeSpan sinceStart)
    {
        ArgumentNullException.ThrowIfNull(progress);
        // A cluster-wide step of a cluster over several hosts (its pool, base image, network) is per host.
        var node = progress.Node ?? (progress.Host is { } host ? $"{progress.Cluster}@{host}" : progress.Cluster);
        var step = StepWords(progress.Step);
        var outcome = progress.State switch
        {
            "started" => "...",
            "succeeded" => "ok",
            "failed" => "FAILED",
            "skipped" => "up to date",
            _ => progress.State,
        };
        var took = progress.ElapsedSeconds is { } s ? string.Create(CultureInfo.InvariantCulture, $" ({s:F1} s)") : "";
        var message = string.IsNullOrEmpty(progress.Message) ? "" : "  " + progress.Message;
        return string.Create(CultureInfo.InvariantCulture, $"[{sinceStart.TotalSeconds,6:F1}s] {node,-20} {step,-12} {outcome}{took}{message}");
    }

    public static string StepWords(string step) => step switch
    {
        "define" => "defining",
        "boot" => "booting",
        "lease" => "lease",
        "ssh" => "SSH",
        "configure" => "configuring",
        "baseimage" => "base image",
        "destroy" => "destroying",
        "check" => "checking",
        "drain" => "draining",
        _ => step,
    };
}
