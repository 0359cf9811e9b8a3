using System.CommandLine;
using Vhpc.Control.Protocol;

namespace Vhpc.Cli.Commands;

/// <summary>Options every subcommand accepts.</summary>
internal static class GlobalOptions
{
    public static readonly Option<string> Socket = new("--socket")
    {
        Description = $"vhpcd's control socket (env {ControlProtocol.SocketEnvironmentVariable}, default {ControlProtocol.DefaultSocketPath})",
        Recursive = true,
        HelpName = "PATH",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable(ControlProtocol.SocketEnvironmentVariable) is { Length: > 0 } env
            ? env
            : ControlProtocol.DefaultSocketPath,
    };

    public static readonly Option<bool> Verbose = new("--verbose", "-v")
    {
        Description = "Print error details",
        Recursive = true,
    };
}
