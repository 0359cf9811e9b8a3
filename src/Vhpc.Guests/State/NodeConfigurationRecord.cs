using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Vhpc.Engine.Status;
using Vhpc.Spec.Addressing;
using Vhpc.Spec.Layout;

namespace Vhpc.Guests.State;

/// <summary>
/// The outcome of the last configuration (Ansible) run for one node, kept in the cluster's state
/// directory (configuration/NODE.json, replaced atomically) so that status can answer without logging
/// into the node, and so that an apply can leave alone a node whose configuration still holds. It
/// names the configuration hash of the spec the run used, the hash of the roles it ran (with the
/// cluster's secrets' identity, see the configuration layer) and the disk it ran on; destroying the
/// cluster removes it with the directory.
/// </summary>
/// <param name="RolesHash">What the configuration layer ran besides the spec (the playbook tree, the keys); empty in records written before it was kept.</param>
public sealed record NodeConfigurationRecord(string Node, bool Succeeded, DateTimeOffset At, string SpecHash, string DiskHash, string? Error,
    string RolesHash = "")
{
    /// <summary>
    /// What the configuration of <paramref name="node"/> depends on in the spec. The management node:
    /// its own spec hash and every node's name, FQDN, address, role, vCPUs and memory (slurm.conf,
    /// /etc/hosts and the export list them all, so any scaling or resized worker makes it stale). A
    /// worker: its own spec hash and the management node's identity (its /etc/hosts entry for the
    /// controller; slurmd fetches slurm.conf from the controller, which names every node by address),
    /// so scaling leaves the other workers' configuration as it is and only new workers are configured.
    /// </summary>
    public static string SpecHashOf(ClusterLayout layout, ClusterNode node)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(node);
        static string[] Identity(ClusterNode n) => [n.Name, n.Fqdn, n.Address.ToString(), n.Role.ToString()];
        if (node.Role != NodeRole.Management)
        {
            // Workers are configless: slurm.conf (and so the elastic range) is the management node's.
            return DeterministicIds.HexDigest(16, ["vhpc-configuration-worker", node.SpecHash, .. Identity(node), .. Identity(layout.Management)]);
        }

        string[] parts = ["vhpc-configuration", node.SpecHash,
            .. layout.Nodes.SelectMany(n => Identity(n).Concat([n.Resources.Vcpu.ToString(CultureInfo.InvariantCulture),
                n.Resources.MemoryMiB.ToString(CultureInfo.InvariantCulture)]))];
        // slurm.conf also says which workers are on demand and after how long they power off; a
        // cluster without an elastic range keeps the hash it always had.
        if (layout.Spec.Workers.Elastic is { } elastic)
        {
            parts = [.. parts, "elastic", elastic.IdleTimeout.Ticks.ToString(CultureInfo.InvariantCulture),
                .. layout.OnDemandWorkers.Select(n => n.Name)];
        }

        return DeterministicIds.HexDigest(16, parts);
    }

    /// <summary>
    /// True when this record says the node's configuration still holds for <paramref name="node"/> as
    /// the layout has it, with <paramref name="rolesHash"/>: the last run succeeded, for the same spec,
    /// the same roles and keys, on the same disk. Then an apply need not log into the node.
    /// </summary>
    public bool Holds(ClusterLayout layout, ClusterNode node, string rolesHash) =>
        Succeeded
        && string.Equals(SpecHash, SpecHashOf(layout, node), StringComparison.Ordinal)
        && string.Equals(DiskHash, node.DiskHash, StringComparison.Ordinal)
        && RolesHash.Length > 0
        && string.Equals(RolesHash, rolesHash, StringComparison.Ordinal);

    /// <summary>Writes the record: a temporary file in the same directory, flushed, then renamed over the old one.</summary>
    public void Write(ClusterStateDirectory state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var path = state.ConfigurationRecordPath(Node);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("node", Node);
            json.WriteString("outcome", Succeeded ? "succeeded" : "failed");
            json.WriteString("at", At.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
            json.WriteString("specHash", SpecHash);
            json.WriteString("diskHash", DiskHash);
            json.WriteString("rolesHash", RolesHash);
            json.WriteString("error", Error);
            json.WriteEndObject();
        }

        AtomicFile.Write(path, buffer.WrittenSpan);
    }

    /// <summary>The node's record, or null when there is none or it cannot be read (then the node counts as not configured).</summary>
    public static NodeConfigurationRecord? Read(ClusterStateDirectory state, string node)
    {
        ArgumentNullException.ThrowIfNull(state);
        var path = state.ConfigurationRecordPath(node);
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            var outcome = root.GetProperty("outcome").GetString();
            return new NodeConfigurationRecord(
                root.GetProperty("node").GetString() ?? node,
                outcome == "succeeded",
                DateTimeOffset.Parse(root.GetProperty("at").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
                root.GetProperty("specHash").GetString() ?? "",
                root.GetProperty("diskHash").GetString() ?? "",
                root.TryGetProperty("error", out var error) ? error.GetString() : null,
                root.TryGetProperty("rolesHash", out var roles) ? roles.GetString() ?? "" : "");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or KeyNotFoundException
                                      or InvalidOperationException or FormatException or ArgumentNullException)
        {
            return null;
        }
    }

    public static void Delete(ClusterStateDirectory state, string node)
    {
        ArgumentNullException.ThrowIfNull(state);
        File.Delete(state.ConfigurationRecordPath(node));
    }

    /// <summary>The nodes that have a record (removed nodes included, until their record is deleted).</summary>
    public static IReadOnlyList<string> RecordedNodes(ClusterStateDirectory state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return Directory.Exists(state.ConfigurationRecordDirectory)
            ? Directory.EnumerateFiles(state.ConfigurationRecordDirectory, "*.json").Select(p => Path.GetFileNameWithoutExtension(p)).Order(StringComparer.Ordinal).ToList()
            : [];
    }

    /// <summary>
    /// The configuration state of a node: no without a domain of the cluster (<paramref name="diskHash"/>
    /// null), without a record, or when the record is for another disk (a new disk was never configured);
    /// failed when the last run failed; stale when it succeeded for a spec that has changed; yes otherwise.
    /// Whether the roles changed is not known here (the configuration layer hashes them): the status
    /// carries the record's roles hash for the engine to compare.
    /// </summary>
    /// <param name="diskHash">The disk hash in the node's domain mark (which disk it runs on); null without a domain of the cluster.</param>
    public static NodeConfigurationStatus StatusOf(NodeConfigurationRecord? record, ClusterLayout layout, ClusterNode node, string? diskHash)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(node);
        if (record is null || diskHash is null || record.DiskHash != diskHash)
        {
            return new NodeConfigurationStatus(ConfigurationState.No);
        }

        if (!record.Succeeded)
        {
            return new NodeConfigurationStatus(ConfigurationState.Failed, record.At, record.SpecHash, record.Error ?? "no reason recorded");
        }

        return record.SpecHash == SpecHashOf(layout, node)
            ? new NodeConfigurationStatus(ConfigurationState.Yes, record.At, record.SpecHash, RolesHash: record.RolesHash)
            : new NodeConfigurationStatus(ConfigurationState.Stale, record.At, record.SpecHash, RolesHash: record.RolesHash,
                StaleBecause: NodeConfigurationStatus.SpecChanged);
    }
}
