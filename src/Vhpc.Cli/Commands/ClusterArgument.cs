using System.CommandLine;

namespace Vhpc.Cli.Commands;

internal static class ClusterArgument
{
    public static Argument<string> Create() => new("cluster")
    {
        Description = "Cluster name (as in its file in /etc/vhpc/clusters.d; see: vhpc list)",
    };
}
