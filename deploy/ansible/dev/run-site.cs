#:project ../../../src/Vhpc.Engine/Vhpc.Engine.csproj
// Development driver (not product code): runs deploy/ansible/site.yml through AnsibleRunner against
// the guests that guests.sh booted, inside the sandbox namespace, and prints per-host results and
// the Ansible phase time. Usage: dotnet run deploy/ansible/dev/run-site.cs [VTA_DIR] [RUN_ID]
using Microsoft.Extensions.Logging;
using Vhpc.Engine.Configuration;

var dir = args.Length > 0 ? args[0] : "/var/tmp/vta-cluster";
var env = File.ReadAllLines(Path.Combine(dir, "cluster.env"))
    .Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1].Trim('\''));
var hosts = env.Where(kv => kv.Key.StartsWith("VTA_NODE_", StringComparison.Ordinal))
    .OrderBy(kv => int.Parse(kv.Key["VTA_NODE_".Length..], System.Globalization.CultureInfo.InvariantCulture))
    .Select((kv, i) =>
    {
        var parts = kv.Value.Split(' ');
        return new ConfigurationHost(parts[0], parts[0] + ".vta.test", parts[1], i == 0 ? HostRole.Management : HostRole.Worker);
    })
    .ToList();

var repo = Path.GetFullPath(Path.Combine(AppContext.GetData("EntryPointFileDirectoryPath") as string ?? ".", "..", "..", ".."));
var state = Path.Combine(dir, "state");
var request = new ConfigurationRequest
{
    ClusterName = "vta",
    Hosts = hosts,
    User = "vhpc",
    PrivateKeyPath = env["VTA_KEY"],
    KnownHostsPath = env["VTA_KNOWN_HOSTS"],
    MungeKeyPath = MungeKey.EnsureExists(Path.Combine(state, "munge.key")),
    PlaybookPath = Path.Combine(repo, "deploy", "ansible", "site.yml"),
    StateDirectory = state,
    NetworkNamespace = Environment.GetEnvironmentVariable("VHPC_NETNS") ?? "vhpc-test",
    RunId = args.Length > 1 ? args[1] : null,
};

var runner = new AnsibleRunner(new ConsoleLog<AnsibleRunner>());
var result = await runner.RunAsync(request, CancellationToken.None);
foreach (var host in result.Hosts)
    Console.WriteLine("RESULT " + host.Describe());
foreach (var attempt in result.Attempts)
    Console.WriteLine($"ATTEMPT {attempt.Number} limit={string.Join(',', attempt.Limit ?? [])} exit={attempt.ExitCode} {attempt.Elapsed.TotalSeconds:F1}s");
Console.WriteLine($"ANSIBLE_PHASE_SECONDS {result.Elapsed.TotalSeconds:F1} succeeded={result.Succeeded} changed={result.Hosts.Sum(h => h.Changed)}");
return result.Succeeded ? 0 : 1;

sealed class ConsoleLog<T> : ILogger<T>
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
            Console.WriteLine($"{DateTime.Now:HH:mm:ss} {eventId.Id} {logLevel}: {formatter(state, exception)}");
    }
}
