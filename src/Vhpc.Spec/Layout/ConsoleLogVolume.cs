namespace Vhpc.Spec.Layout;

/// <summary>
/// Where a node's serial console is logged: a volume of the cluster's pool, created empty by vhpcd and
/// named in the domain's <c>&lt;serial&gt;&lt;log file=...&gt;</c>. virtlogd writes it; vhpcd reads its tail
/// and deletes it through libvirt, so neither needs root nor a local file (remote libvirt hosts work).
/// </summary>
/// <param name="Pool">The cluster's storage pool.</param>
/// <param name="Volume"><c>{node}-serial.log</c>.</param>
public sealed record ConsoleLogVolume(string Pool, string Volume)
{
    /// <summary>The suffix of a serial log volume's name after the node's name.</summary>
    public const string Suffix = "-serial.log";

    public override string ToString() => $"volume {Volume} of pool {Pool}";
}
