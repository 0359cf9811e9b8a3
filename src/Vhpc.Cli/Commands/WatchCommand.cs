using System.CommandLine;
using System.Diagnostics;
using Vhpc.Cli.Output;
using Vhpc.Control.Protocol;

namespace Vhpc.Cli.Commands;

internal static class WatchCommand
{
    public static Command Create()
    {
        var command = new Command("watch", "Follow the progress events of every cluster (Ctrl-C to stop)");
        command.SetAction((parse, ct) => CommandRunner.RunAsync(parse, async client =>
        {
            var output = parse.InvocationConfiguration.Output;
            var clock = Stopwatch.StartNew();
            try
            {
                await foreach (var message in client.SendAsync(new ControlRequest(ControlCommand.Watch), ct).ConfigureAwait(false))
                {
                    if (message.Progress is { } p)
                    {
                        await output.WriteLineAsync($"{p.Cluster}: {ProgressLine.Format(p, clock.Elapsed)}").ConfigureAwait(false);
                    }
                    else
                    {
                        CommandRunner.Expect(message);
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }

            return ExitCodes.Ok;
        }));
        return command;
    }
}
