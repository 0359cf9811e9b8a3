using System.Text;
using System.Text.Json;
using Vhpc.Seed;

namespace Vhpc.Engine.Reconcile;

/// <summary>
/// The smallest seed that makes a node reachable: hostname/FQDN, the service user with the SSH key and
/// passwordless sudo, no password logins. Every value is written as a JSON string, which is a valid
/// YAML double-quoted scalar, so no input can add keys to the cloud-config.
/// </summary>
public sealed class MinimalSeedBuilder : ISeedBuilder
{
    public NoCloudSeed Build(SeedRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var node = request.Node;
        var user = request.Layout.Spec.User.Name;
        var userData = new StringBuilder()
            .Append("#cloud-config\n")
            .Append("hostname: ").Append(Quote(node.Name)).Append('\n')
            .Append("fqdn: ").Append(Quote(node.Fqdn)).Append('\n')
            .Append("manage_etc_hosts: true\n")
            .Append("ssh_pwauth: false\n")
            .Append("disable_root: true\n")
            .Append("users:\n")
            .Append("  - name: ").Append(Quote(user)).Append('\n')
            .Append("    shell: \"/bin/bash\"\n")
            .Append("    lock_passwd: true\n")
            .Append("    sudo: \"ALL=(ALL) NOPASSWD:ALL\"\n")
            .Append("    ssh_authorized_keys:\n")
            .Append("      - ").Append(Quote(request.AuthorizedKey)).Append('\n')
            .ToString();
        var metaData = $"instance-id: {Quote($"{request.Layout.Cluster}-{node.Name}-{node.DiskHash}")}\nlocal-hostname: {Quote(node.Name)}\n";
        return new NoCloudSeed(Encoding.UTF8.GetBytes(userData), Encoding.UTF8.GetBytes(metaData));
    }

    private static string Quote(string value) => JsonSerializer.Serialize(value);
}
