using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vhpc.Engine.Progress;
using Vhpc.Guests;
using Vhpc.Guests.State;
using Vhpc.Spec.Addressing;
using Vhpc.Spec.Layout;

namespace Vhpc.Ansible;

/// <summary>
/// The engine's configuration step over the Ansible runner: one ansible-playbook run per call, limited
/// to the nodes asked for (--limit), with every node of the layout in the inventory (the management
/// node's slurm.conf and /etc/hosts list them all); the cluster's key pair and known_hosts from the
/// guests layer's state directory, and a per-cluster munge key and slurmdbd database password
/// (created 0600 on first use, kept afterwards) in the same directory. Each node's vCPUs and memory,
/// the OS family and the network come from the spec. Each node's outcome is recorded there too
/// (<see cref="NodeConfigurationRecord"/>, with the spec and roles hashes), for status and for the
/// next apply, which leaves alone the nodes whose record still holds.
/// </summary>
internal sealed class AnsibleClusterConfiguration(
    AnsibleRunner runner,
    IOptions<GuestsOptions> guests,
    IOptions<ClusterConfigurationOptions> options,
    TimeProvider time,
    ILogger<AnsibleClusterConfiguration> logger) : IClusterConfiguration
{
    public const string MungeKeyFileName = "munge.key";

    public const string DatabasePasswordFileName = "slurmdbd.password";

    /// <summary>The scale-in playbook, beside the configuration playbook (deploy/ansible/drain.yml).</summary>
    public const string DrainPlaybookFileName = "drain.yml";

    // Runs of one cluster go on side by side; the cluster's secrets are made once.
    private readonly Lock _secrets = new();

    public async Task<IReadOnlyList<NodeConfigurationResult>> ConfigureAsync(ClusterConfigurationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Nodes.Count == 0)
        {
            return [];
        }

        var cluster = request.Layout.Cluster;
        var configurationRequest = BuildRequest(request, guests.Value.StateRoot, options.Value);
        EnsureSecrets(configurationRequest);
        var rolesHash = RolesHashOf(configurationRequest.PlaybookPath, new ClusterStateDirectory(guests.Value.StateRoot, cluster));
        foreach (var node in request.Nodes)
        {
            request.Progress.Report(new ProgressEvent(time.GetUtcNow(), cluster, node.Node.Name, ProvisioningStep.Configure, StepState.Started));
        }

        ConfigurationResult result;
        try
        {
            result = await runner.RunAsync(configurationRequest, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Record(request.Layout, request.Nodes.Select(n => n.Node), request.Nodes.Select(n => new NodeConfigurationResult(n.Node.Name, false, e.Message)).ToList(), rolesHash);
            throw;
        }

        var results = MapResults(request, result);
        Record(request.Layout, request.Nodes.Select(n => n.Node), results, rolesHash);
        foreach (var node in results)
        {
            // On success the message says how much the run changed: "(0 changed)" proves a re-apply was a no-op.
            var message = node.Error ?? result.Hosts.FirstOrDefault(h => h.Host == node.Node)?.Describe();
            request.Progress.Report(new ProgressEvent(time.GetUtcNow(), cluster, node.Node, ProvisioningStep.Configure,
                node.Succeeded ? StepState.Succeeded : StepState.Failed, result.Elapsed, message));
        }

        return results;
    }

    public IReadOnlySet<string> NodesUpToDate(ClusterLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var state = new ClusterStateDirectory(guests.Value.StateRoot, layout.Cluster);
        if (CurrentRolesHash(layout) is not { } rolesHash)
        {
            return new HashSet<string>(StringComparer.Ordinal);
        }

        return layout.Nodes
            .Where(n => NodeConfigurationRecord.Read(state, n.Name) is { } record && record.Holds(layout, n, rolesHash))
            .Select(n => n.Name)
            .ToHashSet(StringComparer.Ordinal);
    }

    public string? CurrentRolesHash(ClusterLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var state = new ClusterStateDirectory(guests.Value.StateRoot, layout.Cluster);
        return File.Exists(Path.Combine(state.Path, MungeKeyFileName)) && File.Exists(options.Value.PlaybookPath)
            ? RolesHashOf(options.Value.PlaybookPath, state)
            : null;
    }

    public void RecordNotConfigured(ClusterLayout layout, ClusterNode node, string reason)
    {
        ArgumentNullException.ThrowIfNull(node);
        Record(layout, [node], [new NodeConfigurationResult(node.Name, false, reason)], "");
    }

    public async Task<string?> DrainAsync(ClusterLayout layout, IReadOnlyList<string> workers, IProgress<ProgressEvent> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(workers);
        ArgumentNullException.ThrowIfNull(progress);
        if (workers.Count == 0)
        {
            return null;
        }

        var playbook = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(options.Value.PlaybookPath))!, DrainPlaybookFileName);
        if (!File.Exists(playbook))
        {
            return $"the scale-in playbook {playbook} is missing (it is installed beside {options.Value.PlaybookPath})";
        }

        var management = layout.Management;
        var request = BuildRequest(new ClusterConfigurationRequest(layout.Spec, layout, [new ReadyNode(management, management.Address)], progress),
            guests.Value.StateRoot, options.Value) with
        {
            PlaybookPath = playbook,
            ExtraVariables = new Dictionary<string, string>(StringComparer.Ordinal) { ["vhpc_drain_nodes"] = string.Join(',', workers) },
        };
        EnsureSecrets(request);
        var result = await runner.RunAsync(request, cancellationToken).ConfigureAwait(false);
        return result.Succeeded ? null : string.Join("; ", result.Problems.Select(p => p.Describe()).DefaultIfEmpty("ansible-playbook failed"));
    }

    private void EnsureSecrets(ConfigurationRequest request)
    {
        lock (_secrets)
        {
            MungeKey.EnsureExists(request.MungeKeyPath);
            new Guests.Ssh.KnownHostsFile(request.KnownHostsPath).EnsureExists();
            SlurmDatabasePassword.EnsureExists(request.DatabasePasswordPath!);
        }
    }

    private static string RolesHashOf(string playbookPath, ClusterStateDirectory state) =>
        RolesDigest.Of(playbookPath, [Path.Combine(state.Path, MungeKeyFileName), Path.Combine(state.Path, DatabasePasswordFileName)]);

    /// <summary>
    /// Keeps each node's outcome in the state directory for `vhpc status` and the next apply. Failing
    /// to write it must not turn a configured cluster into a failed apply: it is logged, and status
    /// then says "no" (and the next apply configures the node again).
    /// </summary>
    private void Record(ClusterLayout layout, IEnumerable<ClusterNode> nodes, IReadOnlyList<NodeConfigurationResult> results, string rolesHash)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var state = new ClusterStateDirectory(guests.Value.StateRoot, layout.Cluster);
        var at = time.GetUtcNow();
        foreach (var node in nodes)
        {
            var result = results.FirstOrDefault(r => r.Node == node.Name);
            var record = new NodeConfigurationRecord(node.Name, result?.Succeeded == true, at,
                NodeConfigurationRecord.SpecHashOf(layout, node), node.DiskHash,
                result?.Succeeded == true ? null : result?.Error ?? "no configuration result for this node",
                result?.Succeeded == true ? rolesHash : "");
            try
            {
                record.Write(state);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Log.RecordNotWritten(logger, layout.Cluster, node.Name, e.Message);
            }
        }
    }

    internal static ConfigurationRequest BuildRequest(ClusterConfigurationRequest request, string stateRoot, ClusterConfigurationOptions options)
    {
        var state = new ClusterStateDirectory(stateRoot, request.Layout.Cluster);
        var ready = request.Nodes.ToDictionary(n => n.Node.Name, n => n.Address, StringComparer.Ordinal);
        return new ConfigurationRequest
        {
            ClusterName = request.Layout.Cluster,
            // Every node of the layout: the ones not configured now are described (slurm.conf, /etc/hosts), not touched.
            Hosts = request.Layout.Nodes
                .Select(n => new ConfigurationHost(n.Name, n.Fqdn, (ready.TryGetValue(n.Name, out var address) ? address : n.Address).ToString(),
                    n.Role == NodeRole.Management ? HostRole.Management : HostRole.Worker)
                {
                    Vcpus = n.Resources.Vcpu,
                    MemoryMiB = n.Resources.MemoryMiB,
                    OnDemand = n.OnDemand,
                })
                .ToList(),
            Limit = request.Nodes.Select(n => n.Node.Name).ToList(),
            SuspendTimeSeconds = request.Spec.Workers.Elastic is { } elastic ? (int)elastic.IdleTimeout.TotalSeconds : null,
            User = request.Spec.User.Name,
            PrivateKeyPath = state.PrivateKeyPath,
            KnownHostsPath = state.KnownHostsPath,
            MungeKeyPath = Path.Combine(state.Path, MungeKeyFileName),
            DatabasePasswordPath = Path.Combine(state.Path, DatabasePasswordFileName),
            OsFamily = request.Spec.Image.OsFamily.ToString(),
            NetworkCidr = request.Layout.Subnet.ToString(),
            PlaybookPath = options.PlaybookPath,
            StateDirectory = state.Path,
            NetworkNamespace = options.NetworkNamespace,
            Forks = options.Forks,
        };
    }

    internal static List<NodeConfigurationResult> MapResults(ClusterConfigurationRequest request, ConfigurationResult result) =>
        request.Nodes.Select(n => result.Hosts.FirstOrDefault(h => h.Host == n.Node.Name) is { } host
                ? new NodeConfigurationResult(n.Node.Name, host.Outcome == HostOutcome.Configured, host.Outcome == HostOutcome.Configured ? null : host.Describe())
                : new NodeConfigurationResult(n.Node.Name, false, "ansible-playbook reported nothing for this node"))
            .ToList();
}
