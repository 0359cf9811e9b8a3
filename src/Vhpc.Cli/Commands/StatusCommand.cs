using System.CommandLine;
using System.Text.Json;
using Vhpc.Cli.Output;
using Vhpc.Control.Protocol;

namespace Vhpc.Cli.Commands;

internal static class StatusCommand
{
    public static Command Create()
    {
        var cluster = ClusterArgument.Create();
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table" };
        var command = new Command("status", "Per-node state, address, lease, SSH and configuration") { cluster, json };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(parse, async client =>
        {
            var result = CommandRunner.Expect(await client.RequestAsync(
                new ControlRequest(ControlCommand.Status, parse.GetValue(cluster)), null, ct).ConfigureAwait(false));
            var status = result.Status ?? throw new CliFailureException(ExitCodes.Failed, "vhpcd answered without a status");
            var output = parse.InvocationConfiguration.Output;
            await output.WriteAsync(parse.GetValue(json)
                ? JsonSerializer.Serialize(status, CliJsonContext.Default.StatusInfo) + "\n"
                : StatusTable.Render(status, DateTimeOffset.UtcNow)).ConfigureAwait(false);
            return ExitCodes.Ok;
        }));
        return command;
    }
}
