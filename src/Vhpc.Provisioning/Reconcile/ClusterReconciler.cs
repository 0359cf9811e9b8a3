using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Vhpc.Engine.Plans;
using Vhpc.Engine.Power;
using Vhpc.Engine.Progress;
using Vhpc.Engine.Telemetry;
using Vhpc.Guests.Keys;
using Vhpc.Libvirt;
using Vhpc.Provisioning.Images;
using Vhpc.Provisioning.Planning;
using Vhpc.Provisioning.Seeds;
using Vhpc.Provisioning.Xml;
using Vhpc.Spec;
using Vhpc.Spec.Addressing;
using Vhpc.Spec.Layout;

namespace Vhpc.Provisioning.Reconcile;

/// <summary>
/// Executes a <see cref="ClusterPlan"/> through the libvirt connection: Prepare actions in order,
/// then every node's actions (nodes in parallel, a node stops at its first failure), then Cleanup
/// (only when every node succeeded, so nothing a failed node still uses is removed).
/// <para>Crash safety: every step is either atomic in libvirt (define, create volume) or detectable
/// when interrupted: the base image upload is followed by a completion marker volume (no marker =
/// partial, re-uploaded); a node's volumes are only trusted once its domain exists (the domain is
/// defined after them), otherwise they are recreated.</para>
/// </summary>
internal sealed class ClusterReconciler(
    ISeedBuilder seeds,
    IBaseImageSource images,
    IAuthorizedKeySource keys,
    IVolumeUploader uploader,
    TimeProvider time,
    ILogger<ClusterReconciler> logger,
    IOptions<PowerChannelOptions>? powerChannels = null)
{
    private const long GiB = 1L << 30;

    /// <summary>How long a running domain that is replaced gets to shut down cleanly before it is powered off.</summary>
    public static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(120);

    public async Task<ReconcileResult> ExecuteAsync(ReconcileContext context, ClusterPlan plan, ActualState actual, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(actual);
        var completed = 0;
        var authorizedKey = new Lazy<Task<string>>(() => keys.GetAuthorizedKeyAsync(context.Layout.Spec, cancellationToken));

        foreach (var action in plan.Actions.Where(a => a.Stage == PlanStage.Prepare))
        {
            if (await RunAsync(context, action, actual, authorizedKey, cancellationToken).ConfigureAwait(false) is { } error)
            {
                return new ReconcileResult(completed, new Dictionary<string, string>(), error);
            }

            completed++;
        }

        var nodeErrors = new System.Collections.Concurrent.ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        var groups = plan.Actions.Where(a => a.Stage == PlanStage.Nodes).GroupBy(a => a.Node!, StringComparer.Ordinal);
        var nodeTasks = groups.Select(group => Task.Run(async () =>
        {
            var done = 0;
            foreach (var action in group)
            {
                if (await RunAsync(context, action, actual, authorizedKey, cancellationToken).ConfigureAwait(false) is { } error)
                {
                    nodeErrors[group.Key] = error;
                    Log.NodeFailed(logger, context.Layout.Cluster, group.Key, error);
                    break;
                }

                done++;
            }

            return done;
        }, cancellationToken)).ToList();
        completed += (await Task.WhenAll(nodeTasks).ConfigureAwait(false)).Sum();

        if (!nodeErrors.IsEmpty)
        {
            return new ReconcileResult(completed, nodeErrors, null);
        }

        foreach (var action in plan.Actions.Where(a => a.Stage == PlanStage.Cleanup))
        {
            if (await RunAsync(context, action, actual, authorizedKey, cancellationToken).ConfigureAwait(false) is { } error)
            {
                return new ReconcileResult(completed, nodeErrors, error);
            }

            completed++;
        }

        return new ReconcileResult(completed, nodeErrors, null);
    }

    /// <summary>Runs one action with its progress events and span; returns the error text or null.</summary>
    private async Task<string?> RunAsync(ReconcileContext context, PlannedAction action, ActualState actual,
        Lazy<Task<string>> authorizedKey, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var layout = context.Layout;
        var step = StepOf(layout, action);
        using var scope = LogScopes.Step(logger, action.Node, step);
        var kind = action.Kind.ToString().ToLowerInvariant();
        var target = action.Target.ToString().ToLowerInvariant();
        using var activity = VhpcTelemetry.StartStep(layout.Cluster, action.Node, step);
        activity?.SetTag("vhpc.action", kind);
        activity?.SetTag("vhpc.target", target);
        var started = time.GetTimestamp();
        var host = layout.NamesHosts ? layout.Host?.Name : null;
        activity?.SetTag("vhpc.host", host);
        context.Progress.Report(new ProgressEvent(time.GetUtcNow(), layout.Cluster, action.Node, step, StepState.Started, Message: action.ToString()) { Host = host });
        Log.ActionStarting(logger, layout.Cluster, kind, target, action.Name, action.Reason);
        string? error = null;
        try
        {
            await ApplyAsync(context, action, actual, authorizedKey, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is LibvirtException or InvalidOperationException or IOException or HttpRequestException
                                      or UnauthorizedAccessException or ClusterSpecException)
        {
            error = $"{kind} {target} {action.Name}: {e.Message}";
            Log.ActionFailed(logger, e, layout.Cluster, kind, target, action.Name);
            if (e is LibvirtException le)
            {
                VhpcTelemetry.LibvirtErrors.Add(1, new KeyValuePair<string, object?>("code", le.Code.ToString()));
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Anything else still ends the step for whoever watches it, then goes up as it is.
            Log.ActionFailed(logger, e, layout.Cluster, kind, target, action.Name);
            activity?.SetStatus(ActivityStatusCode.Error);
            context.Progress.Report(new ProgressEvent(time.GetUtcNow(), layout.Cluster, action.Node, step, StepState.Failed,
                time.GetElapsedTime(started), $"{kind} {target} {action.Name}: {e.Message}") { Host = host });
            throw;
        }

        var elapsed = time.GetElapsedTime(started);
        VhpcTelemetry.EndStep(activity, step, elapsed, ok: error is null);
        context.Progress.Report(new ProgressEvent(time.GetUtcNow(), layout.Cluster, action.Node, step,
            error is null ? StepState.Succeeded : StepState.Failed, elapsed, error ?? action.Reason) { Host = host });
        return error;
    }

    private async Task ApplyAsync(ReconcileContext context, PlannedAction action, ActualState actual,
        Lazy<Task<string>> authorizedKey, CancellationToken cancellationToken)
    {
        var connection = context.Connection;
        var layout = context.Layout;
        switch (action.Target, action.Kind)
        {
            case (ObjectKind.Pool, ActionKind.Create):
                using (var pool = connection.DefineStoragePool(PoolXml.Build(layout)))
                {
                    StartPool(pool);
                }

                break;
            case (ObjectKind.Pool, ActionKind.Start):
                using (var pool = Required(connection.LookupStoragePool(action.Name), "pool", action.Name))
                {
                    StartPool(pool);
                }

                break;
            case (ObjectKind.Pool, ActionKind.Delete):
                using (var pool = connection.LookupStoragePool(action.Name))
                {
                    if (pool is not null)
                    {
                        IgnoreInvalid(() => { if (pool.IsActive) { pool.Destroy(); } });
                        try
                        {
                            // Removes the pool directory on the libvirt host, through the connection.
                            pool.Delete();
                        }
                        catch (LibvirtException e)
                        {
                            // Something that is not ours is still in it (we never touch it): keep the directory.
                            Log.PoolDirectoryKept(logger, layout.Cluster, action.Name, e.Message);
                        }

                        pool.Undefine();
                    }
                }

                break;

            case (ObjectKind.Network, ActionKind.Create):
                using (var network = connection.DefineNetwork(NetworkXml.Build(layout)))
                {
                    network.SetAutostart(true);
                    network.Create();
                }

                break;
            case (ObjectKind.Network, ActionKind.Replace):
                DeleteNetwork(connection, action.Name);
                using (var network = connection.DefineNetwork(NetworkXml.Build(layout)))
                {
                    network.SetAutostart(true);
                    network.Create();
                }

                break;
            case (ObjectKind.Network, ActionKind.Start):
                using (var network = Required(connection.LookupNetwork(action.Name), "network", action.Name))
                {
                    network.SetAutostart(true);
                    IgnoreInvalid(network.Create);
                }

                break;
            case (ObjectKind.Network, ActionKind.Delete):
                DeleteNetwork(connection, action.Name);
                break;

            case (ObjectKind.DhcpHost, _):
                UpdateDhcpHost(connection, layout, action, actual);
                break;

            case (ObjectKind.Volume, ActionKind.Create or ActionKind.Replace) when action.Name == layout.BaseVolumeName:
                await UploadBaseImageAsync(connection, layout, cancellationToken).ConfigureAwait(false);
                break;
            case (ObjectKind.Volume, ActionKind.Create or ActionKind.Replace):
                await CreateNodeVolumeAsync(connection, layout, action, authorizedKey, cancellationToken).ConfigureAwait(false);
                break;
            case (ObjectKind.Volume, ActionKind.Delete):
                using (var pool = Required(connection.LookupStoragePool(layout.PoolName), "pool", layout.PoolName))
                {
                    DeleteVolume(pool, action.Name);
                }

                break;

            case (ObjectKind.Domain, ActionKind.Create):
                DefineDomain(context, action.Name);
                break;
            case (ObjectKind.Domain, ActionKind.Replace):
                // A running guest is shut down cleanly first: a hard power-off of the management node
                // kills slurmctld mid-write (a job that had ended came back as running).
                await ShutDownAsync(connection, layout.Cluster, action.Name, cancellationToken).ConfigureAwait(false);
                DeleteDomain(connection, action.Name);
                DefineDomain(context, action.Name);
                break;
            case (ObjectKind.Domain, ActionKind.Start):
                using (var domain = Required(connection.LookupDomain(action.Name), "domain", action.Name))
                {
                    if (!domain.IsActive)
                    {
                        domain.Create();
                    }
                }

                VhpcTelemetry.NodeTransitions.Add(1, new KeyValuePair<string, object?>("state", "booting"));
                break;
            case (ObjectKind.Domain, ActionKind.Delete):
                // Its serial log volume goes with the node's other volumes (their own actions).
                DeleteDomain(connection, action.Name);
                break;

            default:
                throw new InvalidOperationException($"the engine cannot {action.Kind} a {action.Target}");
        }
    }

    private static void StartPool(StoragePool pool)
    {
        // Build is idempotent for a dir pool (mkdir -p); a crash between define and start resumes here.
        pool.Build();
        pool.SetAutostart(true);
        IgnoreInvalid(() => { if (!pool.IsActive) { pool.Create(); } });
    }

    /// <summary>
    /// Uploads the base image once: the volume is named after the image's sha256, created raw with the
    /// file's exact byte length (the bytes are the image, whatever its format), filled through a stream
    /// while hashing, and only after the digest matched does the completion marker volume appear.
    /// </summary>
    private async Task UploadBaseImageAsync(Connection connection, ClusterLayout layout, CancellationToken cancellationToken)
    {
        using var pool = Required(connection.LookupStoragePool(layout.PoolName), "pool", layout.PoolName);
        DeleteVolume(pool, layout.BaseVolumeMarkerName);
        DeleteVolume(pool, layout.BaseVolumeName);
        var content = await images.OpenAsync(layout.Spec.Image, cancellationToken).ConfigureAwait(false);
        await using (content.ConfigureAwait(false))
        {
            using var volume = pool.CreateVolume(VolumeXml.Build(layout.BaseVolumeName, content.Length, "raw"));
            using var hashing = new HashingReadStream(content.Stream);
            try
            {
                await uploader.UploadAsync(volume, hashing, content.Length, cancellationToken).ConfigureAwait(false);
                var digest = hashing.HexDigest();
                if (hashing.BytesRead != content.Length || digest != layout.Spec.Image.Sha256)
                {
                    throw new InvalidOperationException(
                        $"image.source {layout.Spec.Image.Source}: sha256 is {digest} ({hashing.BytesRead} bytes), image.sha256 says {layout.Spec.Image.Sha256}");
                }
            }
            catch
            {
                DeleteVolume(pool, layout.BaseVolumeName);
                throw;
            }
        }

        ClusterStateReader.RefreshPool(pool);
        using (pool.CreateVolume(VolumeXml.Build(layout.BaseVolumeMarkerName, 0, "raw")))
        {
        }

        Log.BaseImageUploaded(logger, layout.Cluster, layout.BaseVolumeName, content.Length);
    }

    private async Task CreateNodeVolumeAsync(Connection connection, ClusterLayout layout, PlannedAction action,
        Lazy<Task<string>> authorizedKey, CancellationToken cancellationToken)
    {
        var node = NodeOf(layout, action);
        using var pool = Required(connection.LookupStoragePool(layout.PoolName), "pool", layout.PoolName);
        DeleteVolume(pool, action.Name);
        if (action.Name == node.OverlayVolume)
        {
            using var baseVolume = Required(pool.LookupVolume(layout.BaseVolumeName), "volume", layout.BaseVolumeName);
            var format = ClusterLayout.FormatExtension(layout.Spec.Image.Format);
            using (pool.CreateVolume(VolumeXml.BuildOverlay(node.OverlayVolume, node.Resources.DiskGiB * GiB, baseVolume.Path, format)))
            {
            }

            return;
        }

        if (action.Name == node.ConsoleLog.Volume)
        {
            // Empty: virtlogd appends the serial console to it once the domain runs.
            using (pool.CreateVolume(VolumeXml.Build(node.ConsoleLog.Volume, 0, "raw")))
            {
            }

            return;
        }

        if (action.Name != node.SeedVolume)
        {
            throw new InvalidOperationException($"volume {action.Name} is not a volume of node {node.Name}");
        }

        var key = await authorizedKey.Value.ConfigureAwait(false);
        var seed = seeds.Build(new SeedRequest(layout, node, key));
        using var volume = pool.CreateVolume(VolumeXml.Build(node.SeedVolume, seed.Length, "raw"));
        using var stream = seed.OpenRead(time.GetUtcNow());
        await uploader.UploadAsync(volume, stream, seed.Length, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The host end of the power channel for a management node, elastic cluster or not (its directory is
    /// the daemon's, made 0700 at start), or null: on a remote libvirt host (the socket would be a path
    /// there, out of vhpcd's reach) or when the directory does not exist (libvirt could not bind the
    /// socket and the domain would not start).
    /// </summary>
    private string? PowerChannelPath(ClusterLayout layout, ClusterNode node)
    {
        var host = layout.Host ?? layout.Hosts[0];
        if (node.Role != NodeRole.Management || !host.IsLocal
            || powerChannels?.Value is not { Directory: { } directory } options || !Directory.Exists(directory))
        {
            return null;
        }

        return options.SocketPath(layout.Cluster);
    }

    private void DefineDomain(ReconcileContext context, string name)
    {
        var layout = context.Layout;
        var node = layout.Nodes.FirstOrDefault(n => n.Name == name) ?? throw new InvalidOperationException($"{name} is not a node of the spec");
        using var pool = Required(context.Connection.LookupStoragePool(layout.PoolName), "pool", layout.PoolName);
        using var overlay = Required(pool.LookupVolume(node.OverlayVolume), "volume", node.OverlayVolume);
        using var seed = Required(pool.LookupVolume(node.SeedVolume), "volume", node.SeedVolume);
        using var consoleLog = Required(pool.LookupVolume(node.ConsoleLog.Volume), "volume", node.ConsoleLog.Volume);
        using (context.Connection.DefineDomain(DomainXml.Build(layout, node, context.Platform, overlay.Path, seed.Path, consoleLog.Path,
            PowerChannelPath(layout, node))))
        {
        }

        VhpcTelemetry.NodeTransitions.Add(1, new KeyValuePair<string, object?>("state", "defined"));
    }

    /// <summary>
    /// Asks a running domain to shut down (ACPI, <c>virDomainShutdown</c>) and waits for it to stop;
    /// after <see cref="ShutdownTimeout"/> it is powered off. A domain that is not running is left alone.
    /// </summary>
    private async Task ShutDownAsync(Connection connection, string cluster, string name, CancellationToken cancellationToken)
    {
        using var domain = connection.LookupDomain(name);
        if (domain is null || !domain.IsActive)
        {
            return;
        }

        Log.ShutdownRequested(logger, cluster, name, ShutdownTimeout.TotalSeconds);
        // A guest that ignores ACPI, or a domain that stopped meanwhile: forced (or nothing) below.
        IgnoreInvalid(domain.Shutdown);
        if (!await DomainShutdown.WaitUntilStoppedAsync(domain, ShutdownTimeout, time, cancellationToken).ConfigureAwait(false))
        {
            Log.ShutdownForced(logger, cluster, name, ShutdownTimeout.TotalSeconds);
            IgnoreInvalid(domain.Destroy);
        }
    }

    /// <summary>
    /// Stops and undefines the domain. libvirt's own per-domain qemu log (/var/log/libvirt/qemu/NAME.log,
    /// root's) stays, as for every domain libvirt undefines: there is no API to remove it, and the
    /// unprivileged vhpcd may not; Debian's logrotate rotates it.
    /// </summary>
    private static void DeleteDomain(Connection connection, string name)
    {
        using var domain = connection.LookupDomain(name);
        if (domain is null)
        {
            return;
        }

        IgnoreInvalid(() => { if (domain.IsActive) { domain.Destroy(); } });
        domain.Undefine();
    }

    private static void DeleteNetwork(Connection connection, string name)
    {
        using var network = connection.LookupNetwork(name);
        if (network is null)
        {
            return;
        }

        IgnoreInvalid(() => { if (network.IsActive) { network.Destroy(); } });
        network.Undefine();
    }

    private static void DeleteVolume(StoragePool pool, string name)
    {
        using var volume = pool.LookupVolume(name);
        volume?.Delete();
    }

    private static void UpdateDhcpHost(Connection connection, ClusterLayout layout, PlannedAction action, ActualState actual)
    {
        using var network = Required(connection.LookupNetwork(layout.NetworkName), "network", layout.NetworkName);
        switch (action.Kind)
        {
            case ActionKind.Delete:
                var existing = actual.Network?.Definition.Hosts.FirstOrDefault(h => h.Name == action.Name)
                    ?? throw new InvalidOperationException($"no DHCP host entry {action.Name} in the network");
                network.UpdateDhcpHost(Libvirt.NetworkUpdateCommand.Delete, hostXml: NetworkXml.BuildHost(existing));
                break;
            case ActionKind.Create or ActionKind.Update:
                var desired = NetworkXml.DesiredHosts(layout).First(h => h.Name == action.Name);
                network.UpdateDhcpHost(action.Kind == ActionKind.Create ? Libvirt.NetworkUpdateCommand.AddLast : Libvirt.NetworkUpdateCommand.Modify,
                    hostXml: NetworkXml.BuildHost(desired));
                break;
            default:
                throw new InvalidOperationException($"the engine cannot {action.Kind} a DHCP host");
        }
    }

    private static ClusterNode NodeOf(ClusterLayout layout, PlannedAction action) =>
        layout.Nodes.FirstOrDefault(n => n.Name == action.Node) ?? throw new InvalidOperationException($"{action.Node} is not a node of the spec");

    private static ProvisioningStep StepOf(ClusterLayout layout, PlannedAction action) => action switch
    {
        { Kind: ActionKind.Delete, Target: not ObjectKind.DhcpHost } => ProvisioningStep.Destroy,
        { Target: ObjectKind.Pool } => ProvisioningStep.Pool,
        { Target: ObjectKind.Network or ObjectKind.DhcpHost } => ProvisioningStep.Network,
        { Target: ObjectKind.Volume } when action.Name == layout.BaseVolumeName => ProvisioningStep.BaseImage,
        { Target: ObjectKind.Volume } when action.Name.EndsWith("-seed.iso", StringComparison.Ordinal) => ProvisioningStep.Seed,
        { Target: ObjectKind.Volume } => ProvisioningStep.Volume,
        { Target: ObjectKind.Domain, Kind: ActionKind.Start } => ProvisioningStep.Boot,
        _ => ProvisioningStep.Define,
    };

    private static T Required<T>(T? value, string kind, string name)
        where T : class =>
        value ?? throw new InvalidOperationException($"{kind} {name} disappeared while the plan ran; apply again");

    /// <summary>State races (stopped meanwhile, already running) are not errors for an idempotent step.</summary>
    private static void IgnoreInvalid(Action action)
    {
        try
        {
            action();
        }
        catch (LibvirtException e) when (e.IsOperationInvalid)
        {
        }
    }
}
