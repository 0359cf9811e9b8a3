using System.CommandLine;
using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Vhpc.Control.Protocol;

namespace Vhpc.Cli.Commands;

internal static class SshCommand
{
    public static Command Create()
    {
        var node = new Argument<string>("node") { Description = "Node name (or FQDN)" };
        var remote = new Argument<string[]>("command")
        {
            Description = "Command to run on the node (after --); an interactive shell without one",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var cluster = new Option<string?>("--cluster", "-c") { Description = "Cluster of the node (when names are ambiguous)" };
        var command = new Command("ssh", "Open SSH to a node with the cluster's key and known_hosts") { node, remote, cluster };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(parse, async client =>
        {
            var result = CommandRunner.Expect(await client.RequestAsync(
                new ControlRequest(ControlCommand.NodeAccess, parse.GetValue(cluster), parse.GetValue(node)), null, ct).ConfigureAwait(false));
            var access = result.NodeAccess ?? throw new CliFailureException(ExitCodes.Failed, "vhpcd answered without the node's address");
            var (fileName, arguments) = SshInvocation.Build(access, parse.GetValue(remote) ?? []);

            var start = new ProcessStartInfo(fileName) { UseShellExecute = false };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            // ssh owns the terminal now: Ctrl-C belongs to the remote side, not to us.
            using var ignoreInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => c.Cancel = true);
            try
            {
                using var process = Process.Start(start) ?? throw new CliFailureException(ExitCodes.Failed, $"could not start {fileName}");
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                return process.ExitCode;
            }
            catch (Win32Exception ex)
            {
                throw new CliFailureException(ExitCodes.Failed, $"could not run {fileName}: {ex.Message} (install openssh-client)");
            }
        }));
        return command;
    }
}
