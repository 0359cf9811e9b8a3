using System.CommandLine;

namespace Vhpc.Cli.Commands;

internal static class VhpcRootCommand
{
    public static RootCommand Create(Func<bool> hasTerminal, TextReader input)
    {
        var root = new RootCommand("vhpc: drive vhpcd, the virtual HPC cluster daemon")
        {
            GlobalOptions.Socket,
            GlobalOptions.Verbose,
            ValidateCommand.Create(),
            ListCommand.Create(),
            PlanCommand.Create(),
            ApplyCommand.Create(),
            StatusCommand.Create(),
            DestroyCommand.Create(hasTerminal, input),
            WatchCommand.Create(),
            SshCommand.Create(),
            ConsoleCommand.Create(),
            CheckCommand.Create(),
            SeedIsoCommand.Create(),
        };
        return root;
    }
}
