using System.Diagnostics;
using System.Reflection;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Vhpc.Engine.Telemetry;
using Vhpc.Guests.State;
using Vhpc.Spec.Addressing;

namespace Vhpc.Ansible;

/// <summary>
/// Configures a cluster with ansible-playbook: writes a private inventory and Ansible environment,
/// runs the playbook as a child process (inside the cluster's network namespace when configured),
/// turns the vhpc_json callback lines into log events, and retries only the hosts that were
/// unreachable, with <c>--limit</c>. Success is exit code 0 and every host through the last play.
/// </summary>
internal sealed class AnsibleRunner
{
    /// <summary>The callback plugin, embedded so the runner does not depend on where deploy/ was installed.</summary>
    internal const string CallbackPluginResource = "Vhpc.Ansible.vhpc_json.py";

    private readonly ILogger _logger;
    private readonly AnsibleRunnerOptions _options;
    private readonly TimeProvider _time;
    private readonly IPlaybookProcess _process;

    public AnsibleRunner(ILogger<AnsibleRunner> logger, AnsibleRunnerOptions? options = null, TimeProvider? timeProvider = null)
        : this(logger, options ?? new AnsibleRunnerOptions(), timeProvider ?? TimeProvider.System, new PlaybookProcess())
    {
    }

    internal AnsibleRunner(ILogger logger, AnsibleRunnerOptions options, TimeProvider timeProvider, IPlaybookProcess process)
    {
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(process);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxRetries);
        _logger = logger;
        _options = options;
        _time = timeProvider;
        _process = process;
    }

    public async Task<ConfigurationResult> RunAsync(ConfigurationRequest request, CancellationToken cancellationToken)
    {
        ConfigurationRequestValidator.Validate(request);
        // Already inside the guests' namespace (vhpcd itself runs there): no `ip netns exec`, for any attempt.
        request = request with { NetworkNamespace = NetworkNamespaces.ToEnter(request.NetworkNamespace) };
        var runId = request.RunId ?? Guid.NewGuid().ToString("N");
        var started = _time.GetTimestamp();
        // One playbook run configures every node at once: one span for the cluster, no node tag.
        using var activity = VhpcTelemetry.ActivitySource.StartActivity("vhpc.configure");
        activity?.SetTag("vhpc.cluster", request.ClusterName);
        activity?.SetTag("vhpc.step", "configure");

        var workspace = PrepareWorkspace(request, runId);
        var forks = PlaybookCommandBuilder.Forks(request, _options);
        var attempts = new List<PlaybookAttempt>();
        var pending = request.Limit;

        var pipeline = new ResiliencePipelineBuilder<PlaybookAttempt> { TimeProvider = _time }
            .AddRetry(new RetryStrategyOptions<PlaybookAttempt>
            {
                MaxRetryAttempts = Math.Max(1, _options.MaxRetries),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = _options.UseJitter,
                Delay = _options.RetryDelay,
                MaxDelay = _options.MaxRetryDelay,
                // Only a run whose problems include unreachable hosts; a task failure is never transient.
                ShouldHandle = args => ValueTask.FromResult(
                    _options.MaxRetries > 0 && args.Outcome.Result is { } attempt && RetryDecision.HostsToRetry(attempt.Outcome).Count > 0),
                OnRetry = args =>
                {
                    VhpcTelemetry.ConfigurationRetries.Add(1, new KeyValuePair<string, object?>("cluster", request.ClusterName));
                    Log.RetryingUnreachable(_logger, request.ClusterName, string.Join(',', pending ?? []),
                        args.RetryDelay.TotalSeconds, args.AttemptNumber + 1);
                    return default;
                },
            })
            .Build();

        try
        {
            await pipeline.ExecuteAsync(async ct =>
            {
                var attempt = await RunAttemptAsync(request, workspace.Value, forks, attempts.Count + 1, pending, ct).ConfigureAwait(false);
                attempts.Add(attempt);
                pending = RetryDecision.HostsToRetry(attempt.Outcome);
                return attempt;
            }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            workspace.Dispose();
        }

        var elapsed = _time.GetElapsedTime(started);
        var result = new ConfigurationResult(Summarize(request, attempts), attempts, elapsed, runId);
        VhpcTelemetry.ProvisioningDuration.Record(elapsed.TotalSeconds,
            new KeyValuePair<string, object?>("step", "configure"),
            new KeyValuePair<string, object?>("outcome", result.Succeeded ? "succeeded" : "failed"));
        activity?.SetTag("vhpc.attempts", attempts.Count);
        activity?.SetTag("vhpc.outcome", result.Succeeded ? "ok" : "error");
        if (result.Succeeded)
        {
            activity?.SetStatus(ActivityStatusCode.Ok);
            Log.ConfigurationSucceeded(_logger, request.ClusterName, elapsed.TotalSeconds, attempts.Count);
        }
        else
        {
            activity?.SetStatus(ActivityStatusCode.Error);
            foreach (var problem in result.Problems)
                Log.ConfigurationFailed(_logger, request.ClusterName, problem.Describe());
            if (!result.Problems.Any())
                Log.ConfigurationFailed(_logger, request.ClusterName, $"ansible-playbook exited with {attempts[^1].ExitCode}");
        }
        return result;
    }

    private async Task<PlaybookAttempt> RunAttemptAsync(
        ConfigurationRequest request, AnsibleWorkspace workspace, int forks, int number, IReadOnlyList<string>? limit, CancellationToken cancellationToken)
    {
        var hosts = limit ?? request.Hosts.Select(h => h.Name).ToList();
        var command = PlaybookCommandBuilder.Build(request, workspace, _options, forks, limit);
        Log.PlaybookStarting(_logger, request.ClusterName, number, string.Join(',', hosts), request.PlaybookPath);

        var tracker = new PlaybookRunTracker(hosts);
        var stderrTail = new Queue<string>();
        var gate = new object();
        var started = _time.GetTimestamp();
        var exitCode = await _process.RunAsync(command,
            line =>
            {
                lock (gate)
                {
                    var parsed = CallbackEvent.TryParse(line);
                    if (parsed is null)
                    {
                        Log.UnparsedOutput(_logger, line);
                        return;
                    }
                    tracker.Apply(parsed);
                    LogEvent(parsed);
                }
            },
            line =>
            {
                lock (gate)
                {
                    Log.StandardError(_logger, line);
                    stderrTail.Enqueue(line);
                    if (stderrTail.Count > 20)
                        stderrTail.Dequeue();
                }
            },
            cancellationToken).ConfigureAwait(false);

        var elapsed = _time.GetElapsedTime(started);
        Log.PlaybookFinished(_logger, number, request.ClusterName, exitCode, elapsed.TotalSeconds);
        var outcome = tracker.Outcome();
        if (exitCode != 0 && !outcome.SawStats)
        {
            // A syntax error, a missing role, a bad inventory: no host got anywhere, say why.
            var detail = string.Join(" | ", stderrTail.Where(l => !string.IsNullOrWhiteSpace(l)));
            Log.PlaybookBroken(_logger, exitCode, request.ClusterName, detail);
            outcome = outcome with
            {
                Hosts = outcome.Hosts.ToDictionary(kv => kv.Key,
                    kv => kv.Value.Failed || kv.Value.Unreachable ? kv.Value
                        : kv.Value with { Message = $"ansible-playbook exited with {exitCode}: {detail}" }, StringComparer.Ordinal),
            };
        }
        return new PlaybookAttempt(number, limit, exitCode, elapsed, outcome);
    }

    private void LogEvent(CallbackEvent callbackEvent)
    {
        switch (callbackEvent)
        {
            case PlayStarted play:
                Log.PlayStarted(_logger, play.PlayIndex, play.Play);
                break;
            case TaskStarted task:
                Log.TaskStarted(_logger, task.Task, task.Action, task.Play);
                break;
            case HostResult { Status: HostTaskStatus.Ok } r:
                Log.HostOk(_logger, r.Host, r.Task);
                break;
            case HostResult { Status: HostTaskStatus.Changed } r:
                Log.HostChanged(_logger, r.Host, r.Task);
                break;
            case HostResult { Status: HostTaskStatus.Failed, Ignored: true } r:
                Log.HostFailureIgnored(_logger, r.Host, r.Task, r.Message ?? "");
                break;
            case HostResult { Status: HostTaskStatus.Failed } r:
                Log.HostFailed(_logger, r.Host, r.Task, r.Message ?? "");
                break;
            case HostResult { Status: HostTaskStatus.Unreachable } r:
                Log.HostUnreachable(_logger, r.Host, r.Task, r.Message ?? "");
                break;
            case HostResult { Status: HostTaskStatus.Skipped } r:
                Log.HostSkipped(_logger, r.Host, r.Task);
                break;
            case PlaybookStats stats:
                foreach (var (host, s) in stats.Hosts)
                    Log.HostRecap(_logger, host, s.Ok, s.Changed, s.Failures, s.Unreachable, s.Skipped);
                break;
        }
    }

    /// <summary>Each host's result is its latest attempt; a host configured once stays configured.</summary>
    internal static IReadOnlyList<HostConfigurationResult> Summarize(ConfigurationRequest request, IReadOnlyList<PlaybookAttempt> attempts)
    {
        var results = new List<HostConfigurationResult>();
        foreach (var host in request.Hosts.Where(h => request.Limit is null || request.Limit.Contains(h.Name, StringComparer.Ordinal)))
        {
            HostRunState? last = null;
            var changed = 0;
            foreach (var attempt in attempts)
            {
                if (attempt.Outcome.Hosts.TryGetValue(host.Name, out var state) && (attempt.Limit is null || attempt.Limit.Contains(host.Name)))
                {
                    last = state;
                    changed += state.Changed;
                }
            }
            results.Add(last is null
                ? new HostConfigurationResult(host.Name, HostOutcome.Incomplete, null, "never run")
                : new HostConfigurationResult(host.Name, last.Outcome, last.Task, last.Message ?? (last.Outcome == HostOutcome.Incomplete ? "stopped before the last play" : null))
                {
                    Changed = changed,
                });
        }
        return results;
    }

    private sealed class WorkspaceLease(AnsibleWorkspace value, string? temporaryControlDirectory) : IDisposable
    {
        public AnsibleWorkspace Value { get; } = value;

        public void Dispose()
        {
            if (temporaryControlDirectory is not null && Directory.Exists(temporaryControlDirectory))
                Directory.Delete(temporaryControlDirectory, recursive: true);
            if (Value.RunFiles != Value.Root && Directory.Exists(Value.RunFiles))
                Directory.Delete(Value.RunFiles, recursive: true);
        }
    }

    private static WorkspaceLease PrepareWorkspace(ConfigurationRequest request, string runId)
    {
        if (OperatingSystem.IsWindows())
            throw new PlatformNotSupportedException("vhpcd configures clusters from Linux hosts only.");
        var workspace = AnsibleWorkspace.For(request.StateDirectory);
        workspace = workspace with { RunFiles = Path.Combine(workspace.Root, "runs", runId) };
        const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
        Directory.CreateDirectory(workspace.Root, Private);
        Directory.CreateDirectory(Path.Combine(workspace.Root, "runs"), Private);
        foreach (var directory in new[] { workspace.Root, workspace.Home, workspace.LocalTemp, workspace.FactCache, workspace.CallbackPlugins, workspace.RunFiles })
        {
            Directory.CreateDirectory(directory, Private);
            File.SetUnixFileMode(directory, Private);
        }

        string? temporary = null;
        if (workspace.ControlPathDirectory.Length > AnsibleWorkspace.MaxControlPathDirectoryLength)
        {
            temporary = Directory.CreateTempSubdirectory("vhpc-cp-").FullName;
            File.SetUnixFileMode(temporary, Private);
            workspace = workspace with { ControlPathDirectory = temporary };
        }
        else
        {
            Directory.CreateDirectory(workspace.ControlPathDirectory, Private);
        }

        WritePrivate(workspace.InventoryPath, AnsibleInventory.Render(request));
        WritePrivate(workspace.ExtraVariablesPath, AnsibleInventory.RenderExtraVariables(request, runId));
        WritePrivate(workspace.ConfigPath, "# vhpcd: settings come from the environment of each run\n[defaults]\n");
        WritePrivate(Path.Combine(workspace.CallbackPlugins, "vhpc_json.py"), CallbackPluginSource());
        return new WorkspaceLease(workspace, temporary);
    }

    internal static string CallbackPluginSource()
    {
        using var stream = typeof(AnsibleRunner).Assembly.GetManifestResourceStream(CallbackPluginResource)
            ?? throw new InvalidOperationException($"resource {CallbackPluginResource} missing from {typeof(AnsibleRunner).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    // 0600 from creation: the files name the key paths of the cluster.
    private static void WritePrivate(string path, string content) =>
        AtomicFile.Write(path, content, UnixFileMode.UserRead | UnixFileMode.UserWrite);
}
