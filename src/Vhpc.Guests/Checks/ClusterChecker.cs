using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Vhpc.Engine.Checks;
using Vhpc.Engine.Progress;
using Vhpc.Guests.Ssh;
using Vhpc.Spec.Layout;

namespace Vhpc.Guests.Checks;

/// <summary>
/// `vhpc check`: logs into the nodes as the cluster user (cluster key, known_hosts checked) and proves
/// what an HPC user relies on. In order: every worker up in Slurm; per worker, at once: srun runs
/// there, a munge credential made on the management node is accepted there, the cluster user's home
/// written on the management node reads the same there; then across the workers that passed those:
/// an MPI allreduce over srun --mpi=pmix, a job array, and sacct's records of this run's jobs. Every
/// remote command runs under `timeout` on its node and every SSH call has its own deadline, so a dead
/// daemon (slurmdbd, munged) makes its check fail with the command's own error instead of hanging.
/// A failure names the node at fault and carries the command's stderr.
/// </summary>
internal sealed class ClusterChecker(ISshCommandRunner ssh, ClusterCheckOptions options, TimeProvider time, ILogger<ClusterChecker> logger) : IClusterChecker
{
    /// <summary>Where the check keeps its program and files, in the cluster user's (shared) home.</summary>
    public const string WorkDirectory = "~/.vhpc-check";

    public const string MpiProgram = "vhpc-allreduce";

    private const int SshPort = 22;

    private readonly ISshCommandRunner _ssh = ssh;
    private readonly ClusterCheckOptions _options = options;
    private readonly TimeProvider _time = time;
    private readonly ILogger _logger = logger;

    public async Task<ClusterCheckReport> CheckAsync(ClusterCheckRequest request, IProgress<ProgressEvent> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(progress);
        var started = _time.GetTimestamp();
        var run = new Run(this, request, progress, cancellationToken);
        await run.ExecuteAsync().ConfigureAwait(false);
        var report = new ClusterCheckReport(request.Layout.Cluster, _time.GetElapsedTime(started), run.Results);
        var failed = report.Results.Count(r => !r.Passed);
        Log.CheckFinished(_logger, report.Cluster, report.Duration.TotalSeconds, report.Results.Count - failed, failed);
        return report;
    }

    /// <summary>The C source of the MPI program, shipped inside this assembly.</summary>
    public static string MpiSource()
    {
        using var stream = typeof(ClusterChecker).Assembly.GetManifestResourceStream("Vhpc.Guests.Checks.vhpc-allreduce.c")
            ?? throw new InvalidOperationException("the MPI program's source is not embedded in " + typeof(ClusterChecker).Assembly.GetName().Name);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// A script as one command line that any login shell runs the same way: base64 needs no quoting,
    /// and bash gets the script as its argument (stdin stays free for the commands in it).
    /// </summary>
    internal static string AsCommand(string script) =>
        $"bash -c \"$(echo {Convert.ToBase64String(Encoding.UTF8.GetBytes(script))} | base64 -d)\"";

    private static int Seconds(TimeSpan timeout) => (int)Math.Ceiling(timeout.TotalSeconds);

    /// <summary>The last lines of a command's own output, enough to say why without flooding a table.</summary>
    internal static string Tail(string text, int lines = 12, int characters = 2000)
    {
        var kept = text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).TakeLast(lines);
        var joined = string.Join('\n', kept);
        return joined.Length <= characters ? joined : "..." + joined[^characters..];
    }

    /// <summary>What one remote command gave: its result, or why SSH could not run it.</summary>
    private sealed record Remote(SshCommandResult? Result, string? SshFailure)
    {
        public bool Succeeded => Result is { Succeeded: true };

        public string Output => Result?.StandardOutput ?? "";
    }

    /// <summary>One `vhpc check` run: its job name, its results, its progress.</summary>
    private sealed class Run(ClusterChecker owner, ClusterCheckRequest request, IProgress<ProgressEvent> progress, CancellationToken cancellationToken)
    {
        private static readonly string[] CheckOrder =
            [CheckNames.SlurmNode, CheckNames.Srun, CheckNames.Munge, CheckNames.Home, CheckNames.Mpi, CheckNames.JobArray, CheckNames.Accounting];

        private readonly ConcurrentBag<(int Order, CheckResult Result)> _results = [];
        private readonly string _id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        private readonly ClusterNode _management = request.Layout.Management;
        private readonly List<ClusterNode> _workers = [.. request.Layout.Workers];
        private int _order;

        private ClusterCheckOptions Options => owner._options;

        /// <summary>Every job of this run carries this name, so sacct finds exactly them.</summary>
        private string JobName => "vhpc-check-" + _id;

        /// <summary>By check, then by node as the layout orders them (the workers' checks finish in any order).</summary>
        public IReadOnlyList<CheckResult> Results => [.. _results
            .OrderBy(r => Array.IndexOf(CheckOrder, r.Result.Check))
            .ThenBy(r => r.Result.Node is { } node ? request.Layout.Nodes.ToList().FindIndex(n => n.Name == node) : -1)
            .ThenBy(r => r.Order)
            .Select(r => r.Result)];

        public async Task ExecuteAsync()
        {
            var states = await SlurmNodesAsync().ConfigureAwait(false);
            if (states is null)
            {
                return;
            }

            var credentials = await MungeCredentialsAsync().ConfigureAwait(false);
            var token = await HomeTokenAsync().ConfigureAwait(false);
            // Each worker's checks run one after the other; the workers run at once.
            var perWorker = await Task.WhenAll(_workers.Select((worker, i) => WorkerAsync(worker, i, credentials, token))).ConfigureAwait(false);
            var healthy = _workers.Where((w, i) => perWorker[i] && states.TryGetValue(w.Name, out var up) && up).ToList();

            var jobs = 0;
            jobs += perWorker.Count(ok => ok); // one srun per worker that passed
            if (await MpiAsync(healthy).ConfigureAwait(false))
            {
                jobs++;
            }

            if (await JobArrayAsync(healthy).ConfigureAwait(false))
            {
                jobs += healthy.Count;
            }

            await AccountingAsync(jobs).ConfigureAwait(false);
            await CleanUpAsync().ConfigureAwait(false);
        }

        /// <summary>Node name to whether Slurm has it up; null when the management node cannot be reached at all (nothing else can run).</summary>
        private async Task<Dictionary<string, bool>?> SlurmNodesAsync()
        {
            var started = Begin(CheckNames.SlurmNode, _management.Name);
            var remote = await OnAsync(_management, $"timeout {Seconds(Options.CommandTimeout)} {SlurmNodeStates.Command}", Options.CommandTimeout).ConfigureAwait(false);
            var up = new Dictionary<string, bool>(StringComparer.Ordinal);
            if (remote.SshFailure is not null)
            {
                End(CheckNames.SlurmNode, _management.Name, started, false, "cannot log into the management node; no check can run",
                    Error(_management, "sinfo", remote, Options.CommandTimeout));
                return null;
            }

            IReadOnlyDictionary<string, string> states;
            try
            {
                states = remote.Succeeded ? SlurmNodeStates.Parse(remote.Output) : throw new FormatException(Error(_management, "sinfo", remote, Options.CommandTimeout));
            }
            catch (FormatException e)
            {
                End(CheckNames.SlurmNode, _management.Name, started, false, "sinfo failed", remote.Succeeded ? $"on {_management.Name}: {e.Message}" : e.Message);
                return up;
            }

            var elapsed = owner._time.GetElapsedTime(started);
            foreach (var worker in _workers)
            {
                if (!states.TryGetValue(worker.Name, out var state))
                {
                    Add(CheckNames.SlurmNode, worker.Name, elapsed, false, "unknown to Slurm",
                        $"on {_management.Name}: `sinfo` does not list {worker.Name} (slurm.conf lacks it, or slurmctld has not read it)");
                    up[worker.Name] = false;
                    continue;
                }

                var (ok, words) = SlurmNodeStates.Judge(state);
                up[worker.Name] = ok;
                Add(CheckNames.SlurmNode, worker.Name, elapsed, ok, words, ok ? null : $"on {_management.Name}: `sinfo` reports {worker.Name} {words}");
            }

            return up;
        }

        /// <summary>One credential per worker, made by the management node's munged (each is decoded once).</summary>
        private async Task<IReadOnlyList<string>?> MungeCredentialsAsync()
        {
            var started = owner._time.GetTimestamp();
            var timeout = Options.CommandTimeout;
            var remote = await OnAsync(_management, AsCommand(
                $"for i in $(seq {_workers.Count}); do timeout {Seconds(timeout)} munge -n </dev/null || exit $?; done"), timeout).ConfigureAwait(false);
            var credentials = remote.Output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Where(l => l.StartsWith("MUNGE:", StringComparison.Ordinal)).ToList();
            if (remote.Succeeded && credentials.Count == _workers.Count)
            {
                return credentials;
            }

            End(CheckNames.Munge, _management.Name, started, false, "no credential made",
                remote.Succeeded ? $"on {_management.Name}: `munge -n` printed no credential" : Error(_management, "munge -n", remote, timeout));
            return null;
        }

        /// <summary>A token written into the cluster user's home on the management node (the NFS server); null when that failed.</summary>
        private async Task<string?> HomeTokenAsync()
        {
            var started = owner._time.GetTimestamp();
            var token = $"vhpc-check {_id} {owner._time.GetUtcNow():O}";
            var remote = await OnAsync(_management, AsCommand(
                $"mkdir -p {WorkDirectory} && printf '%s\\n' '{token}' > {WorkDirectory}/home-{_id}"), Options.CommandTimeout).ConfigureAwait(false);
            if (remote.Succeeded)
            {
                return token;
            }

            End(CheckNames.Home, _management.Name, started, false, "token not written", Error(_management, "write the token file", remote, Options.CommandTimeout));
            return null;
        }

        /// <summary>
        /// srun, munge and home on one worker; true when all passed. srun comes first: on an elastic
        /// cluster it is what powers a powered-down worker up, before the checks that log into it.
        /// </summary>
        private async Task<bool> WorkerAsync(ClusterNode worker, int index, IReadOnlyList<string>? credentials, string? token)
        {
            var ok = await SrunAsync(worker).ConfigureAwait(false);
            if (credentials is not null)
            {
                ok &= await MungeAsync(worker, credentials[index]).ConfigureAwait(false);
            }
            else
            {
                ok = false;
            }

            if (token is not null)
            {
                ok &= await HomeAsync(worker, token).ConfigureAwait(false);
            }
            else
            {
                ok = false;
            }

            return ok;
        }

        private async Task<bool> MungeAsync(ClusterNode worker, string credential)
        {
            var started = Begin(CheckNames.Munge, worker.Name);
            var timeout = Options.CommandTimeout;
            // The credential is base64 with ':' (no quote can occur); it expires within minutes.
            var remote = await OnAsync(worker, AsCommand($"printf '%s\\n' '{credential}' | timeout {Seconds(timeout)} unmunge"), timeout).ConfigureAwait(false);
            var ok = remote.Succeeded && remote.Output.Contains("STATUS:", StringComparison.Ordinal) && remote.Output.Contains("Success", StringComparison.Ordinal);
            return End(CheckNames.Munge, worker.Name, started, ok, ok ? $"credential from {_management.Name} accepted" : "credential refused",
                ok ? null : Error(worker, $"unmunge (a credential from {_management.Name})", remote, timeout));
        }

        private async Task<bool> SrunAsync(ClusterNode worker)
        {
            var started = Begin(CheckNames.Srun, worker.Name);
            var timeout = Options.SrunTimeout;
            var command = $"srun -J {JobName} -N1 -n1 -w {worker.Name} -t 2 hostname -s";
            var remote = await OnAsync(_management, $"timeout {Seconds(timeout)} {command}", timeout).ConfigureAwait(false);
            var host = remote.Output.Trim();
            var ok = remote.Succeeded && host == worker.Name;
            return End(CheckNames.Srun, worker.Name, started, ok, ok ? $"task ran on {host}" : "no task ran",
                ok ? null : remote.Succeeded ? $"on {_management.Name}: `{command}` printed '{host}', not {worker.Name}" : Error(_management, command, remote, timeout, worker));
        }

        private async Task<bool> HomeAsync(ClusterNode worker, string token)
        {
            var started = Begin(CheckNames.Home, worker.Name);
            var timeout = Options.CommandTimeout;
            var command = $"cat {WorkDirectory}/home-{_id}";
            var remote = await OnAsync(worker, $"timeout {Seconds(timeout)} {command}", timeout).ConfigureAwait(false);
            var ok = remote.Succeeded && remote.Output.Trim() == token;
            return End(CheckNames.Home, worker.Name, started, ok, ok ? $"file written on {_management.Name} read back" : "home differs",
                ok ? null : remote.Succeeded ? $"on {worker.Name}: `{command}` read '{Tail(remote.Output, 2)}', not the token written on {_management.Name}" : Error(worker, command, remote, timeout));
        }

        /// <summary>Builds the program on the management node when absent or changed, then one rank per healthy worker.</summary>
        private async Task<bool> MpiAsync(List<ClusterNode> healthy)
        {
            var started = Begin(CheckNames.Mpi, null);
            if (healthy.Count == 0)
            {
                return End(CheckNames.Mpi, null, started, false, "not run", "no worker passed the checks above");
            }

            var timeout = Options.MpiTimeout;
            var build = await OnAsync(_management, AsCommand(BuildScript(timeout)), timeout).ConfigureAwait(false);
            if (!build.Succeeded)
            {
                return End(CheckNames.Mpi, _management.Name, started, false, "build failed", Error(_management, $"mpicc -o {MpiProgram}", build, timeout));
            }

            var nodes = string.Join(',', healthy.Select(w => w.Name));
            var command = $"srun -J {JobName} --mpi=pmix -N {healthy.Count} -n {healthy.Count} -w {nodes} -t 3 ./{MpiProgram}";
            var remote = await OnAsync(_management, $"cd {WorkDirectory} && timeout {Seconds(timeout)} {command}", timeout).ConfigureAwait(false);
            var ranks = AllreduceOutput.Parse(remote.Output);
            var names = healthy.Select(w => w.Name).ToList();
            var wrong = AllreduceOutput.Verify(ranks, names);
            var built = build.Output.Contains("built now", StringComparison.Ordinal) ? ", built now" : "";
            var leftOut = LeftOut(healthy);
            if (remote.Succeeded && wrong is null)
            {
                var n = healthy.Count;
                return End(CheckNames.Mpi, null, started, true, $"allreduce sum {n * (n - 1) / 2} on all {n} ranks ({nodes}){built}{leftOut}", null);
            }

            var blamed = Blame(remote, ranks, names);
            var error = Error(_management, $"{command}", remote, timeout, blamed.Count == 1 ? blamed[0] : null);
            return End(CheckNames.Mpi, blamed.Count > 0 ? string.Join(',', blamed.Select(b => b.Name)) : _management.Name, started, false, "allreduce failed",
                wrong is null ? error : $"{wrong}\n{error}");
        }

        private string BuildScript(TimeSpan timeout)
        {
            var source = MpiSource();
            // A fresh name per run: two checks at once must not write the same file.
            return $"""
                set -e
                mkdir -p {WorkDirectory}
                cd {WorkDirectory}
                cat > {MpiProgram}.c.{_id} <<'VHPC_MPI_SOURCE'
                {source.TrimEnd()}
                VHPC_MPI_SOURCE
                if [ -x {MpiProgram} ] && cmp -s {MpiProgram}.c.{_id} {MpiProgram}.c; then
                  rm -f {MpiProgram}.c.{_id}
                  echo "built before"
                else
                  mv {MpiProgram}.c.{_id} {MpiProgram}.c
                  timeout {Seconds(timeout)} mpicc -O2 -o {MpiProgram}.{_id} {MpiProgram}.c
                  mv {MpiProgram}.{_id} {MpiProgram}
                  echo "built now"
                fi
                """;
        }

        /// <summary>One task per healthy worker; each writes its task id and host into the shared home.</summary>
        private async Task<bool> JobArrayAsync(List<ClusterNode> healthy)
        {
            var started = Begin(CheckNames.JobArray, null);
            if (healthy.Count == 0)
            {
                return End(CheckNames.JobArray, null, started, false, "not run", "no worker passed the checks above");
            }

            var timeout = Options.JobArrayTimeout;
            var excluded = _workers.Except(healthy).Select(w => w.Name).ToList();
            var exclude = excluded.Count == 0 ? "" : " -x " + string.Join(',', excluded);
            var command = $"sbatch --wait -J {JobName} --array=0-{healthy.Count - 1} -N1 -n1 -t 2{exclude}";
            var script = $$"""
                dir={{WorkDirectory}}
                mkdir -p $dir
                rm -f $dir/array-{{_id}}-*.out
                timeout {{Seconds(timeout)}} {{command}} -o "$dir/array-{{_id}}-%a.out" --wrap 'echo "task $SLURM_ARRAY_TASK_ID on $(hostname -s)"'
                rc=$?
                if [ $rc -eq 124 ]; then
                  scancel -n {{JobName}}
                  echo "the job array did not finish within {{Seconds(timeout)}} s; cancelled" >&2
                fi
                cat $dir/array-{{_id}}-*.out 2>/dev/null
                exit $rc
                """;
            var remote = await OnAsync(_management, AsCommand(script), timeout).ConfigureAwait(false);
            var tasks = remote.Output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Where(l => l.StartsWith("task ", StringComparison.Ordinal)).ToList();
            var expected = Enumerable.Range(0, healthy.Count).Select(i => $"task {i} on ").ToList();
            var ok = remote.Succeeded && expected.All(e => tasks.Any(t => t.StartsWith(e, StringComparison.Ordinal)));
            var hosts = tasks.Select(t => t[(t.LastIndexOf(' ') + 1)..]).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
            return End(CheckNames.JobArray, ok ? null : _management.Name, started, ok,
                ok ? $"{healthy.Count} tasks completed on {string.Join(',', hosts)}{LeftOut(healthy)}" : "array failed",
                ok ? null : remote.Succeeded
                    ? $"on {_management.Name}: the tasks' output lacks some of 0..{healthy.Count - 1}: {Tail(remote.Output, 6)}"
                    : Error(_management, command, remote, timeout));
        }

        /// <summary>
        /// sacct lists this run's jobs (srun per worker, the MPI job, the array's tasks) as completed.
        /// slurmctld passes finished jobs to slurmdbd asynchronously, so it asks again until the timeout;
        /// a sacct that fails (slurmdbd down) fails the check at once with sacct's own error.
        /// </summary>
        private async Task AccountingAsync(int expected)
        {
            var started = Begin(CheckNames.Accounting, null);
            var timeout = Options.AccountingTimeout;
            var command = $"sacct -a --name={JobName} -S now-6hours {SacctRecord.Format}";
            var deadline = owner._time.GetTimestamp() + (long)(timeout.TotalSeconds * owner._time.TimestampFrequency);
            IReadOnlyList<SacctRecord> records = [];
            while (true)
            {
                var remote = await OnAsync(_management, $"timeout {Seconds(Options.CommandTimeout)} {command}", Options.CommandTimeout).ConfigureAwait(false);
                if (!remote.Succeeded)
                {
                    End(CheckNames.Accounting, _management.Name, started, false, "sacct failed", Error(_management, command, remote, Options.CommandTimeout));
                    return;
                }

                try
                {
                    records = SacctRecords.Parse(remote.Output);
                }
                catch (FormatException e)
                {
                    End(CheckNames.Accounting, _management.Name, started, false, "sacct unreadable", $"on {_management.Name}: {e.Message}");
                    return;
                }

                if (expected > 0 && records.Count(r => r.Completed) >= expected)
                {
                    End(CheckNames.Accounting, null, started, true, $"{records.Count(r => r.Completed)} jobs of this check recorded COMPLETED", null);
                    return;
                }

                if (expected == 0 || owner._time.GetTimestamp() >= deadline)
                {
                    break;
                }

                await Task.Delay(TimeSpan.FromSeconds(2), owner._time, cancellationToken).ConfigureAwait(false);
            }

            var listed = records.Count == 0 ? "none" : string.Join(", ", records.Select(r => $"{r.JobId} {r.State}"));
            End(CheckNames.Accounting, _management.Name, started, false, expected == 0 ? "nothing to look for" : "jobs missing",
                expected == 0
                    ? "no job of this check completed above, so sacct has nothing to prove"
                    : $"on {_management.Name}: after {Seconds(timeout)} s `sacct` lists {records.Count(r => r.Completed)} of this check's {expected} jobs as COMPLETED (listed: {listed}); is slurmdbd storing jobs?");
        }

        /// <summary>Removes this run's files and cancels any job of it still queued (a check that timed out); failures here change no result.</summary>
        private async Task CleanUpAsync()
        {
            var timeout = Options.CommandTimeout;
            await OnAsync(_management, AsCommand(
                $"rm -f {WorkDirectory}/home-{_id} {WorkDirectory}/array-{_id}-*.out; timeout {Seconds(timeout)} scancel -n {JobName}"), timeout).ConfigureAwait(false);
        }

        /// <summary>Workers the cross-worker checks ran without.</summary>
        private string LeftOut(List<ClusterNode> healthy)
        {
            var excluded = _workers.Except(healthy).Select(w => w.Name).ToList();
            return excluded.Count == 0 ? "" : $"; without {string.Join(',', excluded)} (failed above)";
        }

        /// <summary>Workers srun's errors name; else, when some ranks reported, the workers whose rank did not.</summary>
        private List<ClusterNode> Blame(Remote remote, IReadOnlyList<AllreduceRank> ranks, List<string> names)
        {
            var errors = (remote.Result?.StandardError ?? "") + "\n" + (remote.SshFailure ?? "");
            var candidates = _workers.Where(w => names.Contains(w.Name)).ToList();
            var named = candidates.Where(w => Regex.IsMatch(errors, $@"\b{Regex.Escape(w.Name)}\b", RegexOptions.CultureInvariant)).ToList();
            if (named.Count > 0 || ranks.Count == 0)
            {
                return named;
            }

            return [.. candidates.Where(w => !ranks.Any(r => AllreduceOutput.ShortName(r.Host) == w.Name))];
        }

        /// <summary>Runs one command on a node; the SSH call ends at the command's timeout plus the grace, whatever the node does.</summary>
        private async Task<Remote> OnAsync(ClusterNode node, string command, TimeSpan timeout)
        {
            var target = new SshTarget(node.Address.ToString(), SshPort, request.User, request.PrivateKeyPath, request.KnownHostsPath, node.Fqdn);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout + Options.SshGrace);
            try
            {
                return new Remote(await owner._ssh.RunAsync(target, command, deadline.Token).ConfigureAwait(false), null);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return new Remote(null, $"no answer over SSH within {Seconds(timeout + Options.SshGrace)} s");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                return new Remote(null, $"SSH to {node.Address} failed: {e.Message}");
            }
        }

        /// <summary>"on NODE: `command` exited 1: stderr", or why SSH could not run it; <paramref name="about"/> is named when the command ran elsewhere.</summary>
        private static string Error(ClusterNode ranOn, string what, Remote remote, TimeSpan timeout, ClusterNode? about = null)
        {
            var subject = about is null ? "" : $" (about {about.Name})";
            if (remote.SshFailure is { } failure)
            {
                return $"on {ranOn.Name}{subject}: {failure}";
            }

            var result = remote.Result!;
            var status = result.ExitStatus switch
            {
                124 => $"timed out after {Seconds(timeout)} s",
                null => "ended without an exit status (killed)",
                { } code => $"exited {code}",
            };
            var text = Tail(string.IsNullOrWhiteSpace(result.StandardError) ? result.StandardOutput : result.StandardError);
            return $"on {ranOn.Name}{subject}: `{what}` {status}{(text.Length == 0 ? "" : ": " + text)}";
        }

        private long Begin(string check, string? node)
        {
            progress.Report(new ProgressEvent(owner._time.GetUtcNow(), request.Layout.Cluster, node, ProvisioningStep.Check, StepState.Started, Message: check));
            return owner._time.GetTimestamp();
        }

        private bool End(string check, string? node, long started, bool passed, string detail, string? error)
        {
            Add(check, node, owner._time.GetElapsedTime(started), passed, detail, error);
            return passed;
        }

        private void Add(string check, string? node, TimeSpan duration, bool passed, string detail, string? error)
        {
            _results.Add((Interlocked.Increment(ref _order), new CheckResult(check, node, passed, duration, detail, error)));
            progress.Report(new ProgressEvent(owner._time.GetUtcNow(), request.Layout.Cluster, node, ProvisioningStep.Check,
                passed ? StepState.Succeeded : StepState.Failed, duration, passed ? $"{check}: {detail}" : $"{check}: {error ?? detail}"));
            if (!passed)
            {
                Log.CheckFailed(owner._logger, request.Layout.Cluster, check, node ?? "-", error ?? detail);
            }
        }
    }
}
