using System.CommandLine;
using System.Diagnostics;
using Vhpc.Cli.Output;
using Vhpc.Control.Protocol;

namespace Vhpc.Cli.Commands;

internal static class DestroyCommand
{
    public static Command Create(Func<bool> hasTerminal, TextReader input)
    {
        var cluster = ClusterArgument.Create();
        var yes = new Option<bool>("--yes", "-y") { Description = "Do not ask for confirmation" };
        var command = new Command("destroy", "Remove every libvirt object of the cluster (asks first)") { cluster, yes };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(parse, async client =>
        {
            var name = parse.GetValue(cluster)!;
            var output = parse.InvocationConfiguration.Output;
            if (!parse.GetValue(yes))
            {
                if (!hasTerminal())
                {
                    throw new CliFailureException(ExitCodes.Usage, $"refusing to destroy {name} without confirmation: no terminal to ask on; pass --yes");
                }

                await output.WriteAsync($"Destroy cluster {name}: its domains, volumes and network? Type the cluster name to confirm: ").ConfigureAwait(false);
                var answer = await input.ReadLineAsync(ct).ConfigureAwait(false);
                if (!string.Equals(answer?.Trim(), name, StringComparison.Ordinal))
                {
                    throw new CliFailureException(ExitCodes.Failed, "not confirmed; nothing destroyed");
                }
            }

            var clock = Stopwatch.StartNew();
            var final = await client.RequestAsync(
                new ControlRequest(ControlCommand.Destroy, name),
                new SynchronousProgress<ProgressInfo>(p => output.WriteLine(ProgressLine.Format(p, clock.Elapsed))),
                ct).ConfigureAwait(false);
            var destroy = CommandRunner.Expect(final).Destroy ?? throw new CliFailureException(ExitCodes.Failed, "vhpcd answered without a result");
            await output.WriteLineAsync($"cluster {destroy.Cluster} destroyed ({destroy.ObjectsRemoved} objects removed)").ConfigureAwait(false);
            return ExitCodes.Ok;
        }));
        return command;
    }
}
