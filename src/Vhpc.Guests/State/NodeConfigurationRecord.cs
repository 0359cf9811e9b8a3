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
/// into the node. It names the configuration hash of the spec the run used and the disk it ran on;
/// destroying the cluster removes it with the directory.
/// </summary>
public sealed record NodeConfigurationRecord(string Node, bool Succeeded, DateTimeOffset At, string SpecHash, string DiskHash, string? Error)
{
    /// <summary>
    /// What the configuration of <paramref name="node"/> depends on: the node's own spec hash and every
    /// node's name, FQDN, address and role (slurm.conf and /etc/hosts list them all, so a scaled
    /// cluster is stale everywhere).
    /// </summary>
    public static string SpecHashOf(ClusterLayout layout, ClusterNode node)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(node);
        string[] parts = ["vhpc-configuration", node.SpecHash,
            .. layout.Nodes.SelectMany(n => new[] { n.Name, n.Fqdn, n.Address.ToString(), n.Role.ToString() })];
        // slurm.conf also says which workers are on demand and after how long they power off; a
        // cluster without an elastic range keeps the hash it always had.
        if (layout.Spec.Workers.Elastic is { } elastic)
        {
            parts = [.. parts, "elastic", elastic.IdleTimeout.Ticks.ToString(CultureInfo.InvariantCulture),
                .. layout.OnDemandWorkers.Select(n => n.Name)];
        }

        return DeterministicIds.HexDigest(16, parts);
    }

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
                root.TryGetProperty("error", out var error) ? error.GetString() : null);
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

    /// <summary>
    /// The configuration state of a node: no without a domain of the cluster (<paramref name="diskHash"/>
    /// null), without a record, or when the record is for another disk (a new disk was never configured);
    /// failed when the last run failed; stale when it succeeded for a spec that has changed; yes otherwise.
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
            ? new NodeConfigurationStatus(ConfigurationState.Yes, record.At, record.SpecHash)
            : new NodeConfigurationStatus(ConfigurationState.Stale, record.At, record.SpecHash);
    }
}
