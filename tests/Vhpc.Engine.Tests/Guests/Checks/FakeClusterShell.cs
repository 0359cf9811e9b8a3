using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Vhpc.Guests.Ssh;
using Vhpc.Spec.Layout;

namespace Vhpc.Engine.Tests.Guests.Checks;

/// <summary>
/// A fake of the nodes behind SSH for <see cref="Vhpc.Guests.Checks.ClusterChecker"/>: answers the
/// commands it sends the way Slurm, munge, OpenMPI and NFS answer on a real cluster, with faults a
/// test switches on per node. Scripts sent as `bash -c "$(echo B64 | base64 -d)"` are decoded first.
/// </summary>
internal sealed partial class FakeClusterShell(ClusterLayout layout) : ISshCommandRunner
{
    private readonly ConcurrentDictionary<string, string> _files = new(StringComparer.Ordinal);
    private int _jobs;

    public Dictionary<string, string> SinfoStates { get; } = layout.Workers.ToDictionary(w => w.Name, _ => "idle", StringComparer.Ordinal);

    /// <summary>Workers whose munged has another key.</summary>
    public HashSet<string> WrongMungeKey { get; } = new(StringComparer.Ordinal);

    /// <summary>Workers where the MPI program cannot start.</summary>
    public HashSet<string> MpiCannotStart { get; } = new(StringComparer.Ordinal);

    /// <summary>Nodes SSH cannot reach.</summary>
    public HashSet<string> Unreachable { get; } = new(StringComparer.Ordinal);

    public bool SlurmdbdDown { get; set; }

    /// <summary>A command containing this text never answers (until cancelled).</summary>
    public string? HangOn { get; set; }

    public ConcurrentQueue<(string Node, string Command)> Commands { get; } = new();

    public async Task<SshCommandResult> RunAsync(SshTarget target, string command, CancellationToken cancellationToken)
    {
        var node = layout.Nodes.Single(n => n.Address.ToString() == target.Host).Name;
        var script = Decode(command);
        Commands.Enqueue((node, script));
        if (Unreachable.Contains(node))
        {
            throw new SocketException((int)SocketError.HostUnreachable);
        }

        if (HangOn is { } hang && script.Contains(hang, StringComparison.Ordinal))
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        await Task.Yield();
        return Answer(node, script);
    }

    public static string Decode(string command)
    {
        var match = EncodedScript().Match(command);
        return match.Success ? Encoding.UTF8.GetString(Convert.FromBase64String(match.Groups["b64"].Value)) : command;
    }

    private SshCommandResult Answer(string node, string script)
    {
        if (script.Contains("sinfo", StringComparison.Ordinal))
        {
            return Ok(string.Concat(SinfoStates.Select(s => $"{s.Key}|{s.Value}\n")));
        }

        if (script.Contains("munge -n", StringComparison.Ordinal))
        {
            var count = int.Parse(Regex.Match(script, @"seq (\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            return Ok(string.Concat(Enumerable.Range(0, count).Select(i => $"MUNGE:AwQFAAC{i}xyz=:\n")));
        }

        if (script.Contains("unmunge", StringComparison.Ordinal))
        {
            return WrongMungeKey.Contains(node)
                ? new SshCommandResult(1, "", "unmunge: Error: Invalid credential\n")
                : Ok($"STATUS:          Success (0)\nENCODE_HOST:     {layout.Management.Fqdn}\n");
        }

        if (Regex.Match(script, @"printf '%s\\n' '(?<token>[^']+)' > (?<path>\S+)") is { Success: true } write)
        {
            _files[write.Groups["path"].Value] = write.Groups["token"].Value;
            return Ok("");
        }

        if (Regex.Match(script, @"cat (?<path>\S+/home-\S+)") is { Success: true } read)
        {
            return _files.TryGetValue(read.Groups["path"].Value, out var token)
                ? Ok(token + "\n")
                : new SshCommandResult(1, "", $"cat: {read.Groups["path"].Value}: No such file or directory\n");
        }

        if (script.Contains("mpicc", StringComparison.Ordinal))
        {
            return Ok("built now\n");
        }

        if (script.Contains("--mpi=pmix", StringComparison.Ordinal))
        {
            var nodes = Regex.Match(script, @"-w (\S+)").Groups[1].Value.Split(',');
            var n = nodes.Length;
            Interlocked.Increment(ref _jobs);
            var output = new StringBuilder();
            var errors = new StringBuilder();
            for (var rank = 0; rank < n; rank++)
            {
                if (MpiCannotStart.Contains(nodes[rank]))
                {
                    errors.Append("slurmstepd: error: execve(): ./vhpc-allreduce: Exec format error\n")
                        .Append(System.Globalization.CultureInfo.InvariantCulture, $"srun: error: {nodes[rank]}: task {rank}: Exited with exit code 2\n");
                    continue;
                }

                output.Append(System.Globalization.CultureInfo.InvariantCulture, $"rank {rank} of {n} on {nodes[rank]}.vhpc.local: sum {n * (n - 1) / 2}\n");
            }

            return new SshCommandResult(errors.Length == 0 ? 0 : 2, output.ToString(), errors.ToString());
        }

        if (script.Contains("srun ", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _jobs);
            return Ok(Regex.Match(script, @"-w (\S+)").Groups[1].Value + "\n");
        }

        if (script.Contains("sbatch", StringComparison.Ordinal))
        {
            var last = int.Parse(Regex.Match(script, @"--array=0-(\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            var excluded = Regex.Match(script, @" -x (\S+)") is { Success: true } x ? x.Groups[1].Value.Split(',') : [];
            var hosts = layout.Workers.Select(w => w.Name).Except(excluded).ToList();
            Interlocked.Add(ref _jobs, last + 1);
            return Ok("Submitted batch job 42\n" + string.Concat(Enumerable.Range(0, last + 1).Select(i => $"task {i} on {hosts[i % hosts.Count]}\n")));
        }

        if (script.Contains("sacct", StringComparison.Ordinal))
        {
            if (SlurmdbdDown)
            {
                return new SshCommandResult(1, "",
                    "sacct: error: slurm_persist_conn_open_without_init: failed to open persistent connection to host:vhpc-controller:6819: Connection refused\n"
                    + "sacct: error: Problem talking to the database: Connection refused\n");
            }

            var name = Regex.Match(script, @"--name=(\S+)").Groups[1].Value;
            return Ok(string.Concat(Enumerable.Range(1, Volatile.Read(ref _jobs)).Select(i => $"{i}|{name}|COMPLETED|{layout.Workers.First().Name}\n")));
        }

        if (script.Contains("scancel", StringComparison.Ordinal))
        {
            return Ok("");
        }

        return new SshCommandResult(127, "", $"fake shell: no answer for: {script}\n");
    }

    private static SshCommandResult Ok(string output) => new(0, output, "");

    [GeneratedRegex("""^bash -c "\$\(echo (?<b64>[A-Za-z0-9+/=]+) \| base64 -d\)"$""")]
    private static partial Regex EncodedScript();
}
