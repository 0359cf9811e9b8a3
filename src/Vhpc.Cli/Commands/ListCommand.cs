using System.CommandLine;
using System.Text.Json;
using Vhpc.Cli.Output;
using Vhpc.Control.Protocol;

namespace Vhpc.Cli.Commands;

internal static class ListCommand
{
    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var command = new Command("list", "List the clusters vhpcd has loaded and the files it rejected") { json };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(parse, async client =>
        {
            var result = CommandRunner.Expect(await client.RequestAsync(new ControlRequest(ControlCommand.List), null, ct).ConfigureAwait(false));
            var clusters = result.Clusters ?? [];
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(clusters, CliJsonContext.Default.IReadOnlyListClusterSummary)).ConfigureAwait(false);
                return ExitCodes.Ok;
            }

            await output.WriteAsync(TextTable.Render(
                ["NAME", "STATE", "MGMT", "WORKERS", "OPERATION", "FILE"],
                clusters.Select(c => (IReadOnlyList<string>)
                [
                    c.Name ?? "-",
                    c.Errors.Count == 0 ? "loaded" : c.Loaded ? "loaded (file has errors)" : "invalid",
                    c.Management.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    c.Workers.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    c.Operation ?? "-",
                    c.File,
                ]))).ConfigureAwait(false);
            return ExitCodes.Ok;
        }));
        return command;
    }
}
