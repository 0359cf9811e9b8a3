using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vhpc.Engine.Progress;
using Vhpc.Guests;
using Vhpc.Guests.State;
using Vhpc.Spec.Addressing;

namespace Vhpc.Ansible;

/// <summary>
/// The engine's configuration step over the Ansible runner: the ready nodes with their addresses, the
/// cluster's key pair and known_hosts from the guests layer's state directory, and a per-cluster munge
/// key and slurmdbd database password (created 0600 on first use, kept afterwards) in the same
/// directory. Each node's vCPUs and memory, the OS family and the network come from the spec. Each node's outcome is
/// recorded there too (<see cref="NodeConfigurationRecord"/>), for status.
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

    public async Task<IReadOnlyList<NodeConfigurationResult>> ConfigureAsync(ClusterConfigurationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var cluster = request.Layout.Cluster;
        var configurationRequest = BuildRequest(request, guests.Value.StateRoot, options.Value);
        MungeKey.EnsureExists(configurationRequest.MungeKeyPath);
        new Guests.Ssh.KnownHostsFile(configurationRequest.KnownHostsPath).EnsureExists();
        SlurmDatabasePassword.EnsureExists(configurationRequest.DatabasePasswordPath!);
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
            Record(request, request.Nodes.Select(n => new NodeConfigurationResult(n.Node.Name, false, e.Message)).ToList());
            throw;
        }

        var results = MapResults(request, result);
        Record(request, results);
        foreach (var node in results)
        {
            // On success the message says how much the run changed: "(0 changed)" proves a re-apply was a no-op.
            var message = node.Error ?? result.Hosts.FirstOrDefault(h => h.Host == node.Node)?.Describe();
            request.Progress.Report(new ProgressEvent(time.GetUtcNow(), cluster, node.Node, ProvisioningStep.Configure,
                node.Succeeded ? StepState.Succeeded : StepState.Failed, result.Elapsed, message));
        }

        return results;
    }

    /// <summary>
    /// Keeps each node's outcome in the state directory for `vhpc status`. Failing to write it must not
    /// turn a configured cluster into a failed apply: it is logged, and status then says "no".
    /// </summary>
    private void Record(ClusterConfigurationRequest request, IReadOnlyList<NodeConfigurationResult> results)
    {
        var state = new ClusterStateDirectory(guests.Value.StateRoot, request.Layout.Cluster);
        var at = time.GetUtcNow();
        foreach (var node in request.Nodes)
        {
            var result = results.FirstOrDefault(r => r.Node == node.Node.Name);
            var record = new NodeConfigurationRecord(node.Node.Name, result?.Succeeded == true, at,
                NodeConfigurationRecord.SpecHashOf(request.Layout, node.Node), node.Node.DiskHash,
                result?.Succeeded == true ? null : result?.Error ?? "no configuration result for this node");
            try
            {
                record.Write(state);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Log.RecordNotWritten(logger, request.Layout.Cluster, node.Node.Name, e.Message);
            }
        }
    }

    internal static ConfigurationRequest BuildRequest(ClusterConfigurationRequest request, string stateRoot, ClusterConfigurationOptions options)
    {
        var state = new ClusterStateDirectory(stateRoot, request.Layout.Cluster);
        // The nodes to configure, and every other node of the layout whether it runs or not: slurm.conf
        // and /etc/hosts declare them all, at their fixed addresses (a resumed worker is configured
        // alone but needs the management node's name, and its /etc/hosts lists every node).
        var configured = request.Nodes.Select(n => (n.Node, Address: n.Address.ToString())).ToList();
        var declared = request.Layout.Nodes
            .Where(n => !configured.Any(c => c.Node.Name == n.Name))
            .Select(n => (Node: n, Address: n.Address.ToString()))
            .ToList();
        return new ConfigurationRequest
        {
            ClusterName = request.Layout.Cluster,
            Hosts = configured.Concat(declared)
                .Select(n => new ConfigurationHost(n.Node.Name, n.Node.Fqdn, n.Address,
                    n.Node.Role == NodeRole.Management ? HostRole.Management : HostRole.Worker)
                {
                    Vcpus = n.Node.Resources.Vcpu,
                    MemoryMiB = n.Node.Resources.MemoryMiB,
                    OnDemand = n.Node.OnDemand,
                })
                .ToList(),
            Limit = declared.Count == 0 ? null : configured.Select(c => c.Node.Name).ToList(),
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
