using System.Net;
using System.Text.RegularExpressions;

namespace Vhpc.Ansible;

/// <summary>
/// Rejects a request before anything is written or started, naming the field and the reason.
/// Strings reach Ansible as data (JSON inventory and extra vars), but Ansible templates variable
/// values, so nothing may carry Jinja markers.
/// </summary>
internal static partial class ConfigurationRequestValidator
{
    [GeneratedRegex("^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")]
    private static partial Regex Label();

    [GeneratedRegex(@"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")]
    private static partial Regex DnsName();

    [GeneratedRegex("^[a-z_][a-z0-9_-]{0,31}$")]
    private static partial Regex UserName();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex VariableName();

    public static void Validate(ConfigurationRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Require(Label().IsMatch(request.ClusterName ?? ""), "ClusterName", $"'{request.ClusterName}' is not a DNS label");
        Require(request.Hosts is { Count: > 0 }, "Hosts", "at least one host is needed");
        Require(UserName().IsMatch(request.User ?? ""), "User", $"'{request.User}' is not a valid user name");

        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < request.Hosts!.Count; i++)
        {
            var host = request.Hosts[i];
            var field = $"Hosts[{i}]";
            Require(host is not null, field, "is null");
            Require(Label().IsMatch(host!.Name ?? ""), field + ".Name", $"'{host.Name}' is not a DNS label");
            Require(names.Add(host.Name!), field + ".Name", $"'{host.Name}' appears twice");
            Require(DnsName().IsMatch(host.Fqdn ?? "") && host.Fqdn!.Length <= 253, field + ".Fqdn", $"'{host.Fqdn}' is not a DNS name");
            Require(IPAddress.TryParse(host.Address ?? "", out _), field + ".Address", $"'{host.Address}' is not an IP address");
            Require(host.Port is > 0 and < 65536, field + ".Port", $"{host.Port} is not a TCP port");
            Require(host.Connection is "ssh" or "local", field + ".Connection", $"'{host.Connection}' is not ssh or local");
            Require(Enum.IsDefined(host.Role), field + ".Role", $"{host.Role} is not a role");
            Require(host.Vcpus is null or > 0, field + ".Vcpus", $"{host.Vcpus} is not a positive number");
            Require(host.MemoryMiB is null or > 0, field + ".MemoryMiB", $"{host.MemoryMiB} is not a positive number");
        }

        if (request.Limit is not null)
        {
            Require(request.Limit.Count > 0, "Limit", "names no host (null configures every host)");
            foreach (var name in request.Limit)
                Require(names.Contains(name ?? ""), "Limit", $"'{name}' is not a host of the inventory");
        }
        Require(request.SuspendTimeSeconds is null or >= 60, "SuspendTimeSeconds", $"{request.SuspendTimeSeconds} is below 60 seconds");

        RequireFile(request.PlaybookPath, "PlaybookPath");
        RequireFile(request.MungeKeyPath, "MungeKeyPath");
        if (request.DatabasePasswordPath is not null)
            RequireFile(request.DatabasePasswordPath, "DatabasePasswordPath");
        if (request.OsFamily is not null)
            Require(request.OsFamily is "Debian" or "RedHat", "OsFamily", $"'{request.OsFamily}' is not Debian or RedHat");
        if (request.NetworkCidr is not null)
            Require(IPNetwork.TryParse(request.NetworkCidr, out _), "NetworkCidr", $"'{request.NetworkCidr}' is not a network in CIDR notation");
        if (request.Hosts.Any(h => h.Connection == "ssh"))
        {
            RequireFile(request.PrivateKeyPath, "PrivateKeyPath");
            RequireFile(request.KnownHostsPath, "KnownHostsPath");
        }
        RequireText(request.PrivateKeyPath, "PrivateKeyPath");
        RequireText(request.KnownHostsPath, "KnownHostsPath");
        Require(!string.IsNullOrWhiteSpace(request.StateDirectory), "StateDirectory", "is empty");
        RequireText(request.StateDirectory, "StateDirectory");
        Require(request.Forks is null or > 0, "Forks", $"{request.Forks} is not a positive number");
        if (request.NetworkNamespace is not null)
            Require(Label().IsMatch(request.NetworkNamespace), "NetworkNamespace", $"'{request.NetworkNamespace}' is not a namespace name");
        if (request.RunId is not null)
            Require(Label().IsMatch(request.RunId), "RunId", $"'{request.RunId}' must be letters, digits and dashes");
        if (request.ExtraVariables is not null)
        {
            foreach (var (key, value) in request.ExtraVariables)
            {
                Require(VariableName().IsMatch(key), $"ExtraVariables[{key}]", "is not a variable name");
                RequireText(value, $"ExtraVariables[{key}]");
            }
        }
    }

    private static void RequireFile(string path, string field)
    {
        Require(!string.IsNullOrWhiteSpace(path), field, "is empty");
        RequireText(path, field);
        Require(File.Exists(path), field, $"'{path}' does not exist");
    }

    private static void RequireText(string? value, string field)
    {
        if (value is null)
            return;
        Require(!value.Contains("{{", StringComparison.Ordinal) && !value.Contains("{%", StringComparison.Ordinal)
                && !value.Contains("{#", StringComparison.Ordinal), field, "must not contain Jinja markers ({{, {%, {#)");
        Require(!value.Any(char.IsControl), field, "must not contain control characters");
    }

    private static void Require(bool condition, string field, string reason)
    {
        if (!condition)
            throw new ArgumentException($"{field}: {reason}", field);
    }
}
