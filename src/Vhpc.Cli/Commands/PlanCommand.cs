using System.CommandLine;
using System.Text.Json;
using Vhpc.Cli.Output;
using Vhpc.Control.Protocol;

namespace Vhpc.Cli.Commands;

internal static class PlanCommand
{
    public static Command Create()
    {
        var cluster = ClusterArgument.Create();
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var command = new Command("plan", "Show what apply would change, without changing anything") { cluster, json };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(parse, async client =>
        {
            var result = CommandRunner.Expect(await client.RequestAsync(
                new ControlRequest(ControlCommand.Plan, parse.GetValue(cluster)), null, ct).ConfigureAwait(false));
            var plan = result.Plan ?? throw new CliFailureException(ExitCodes.Failed, "vhpcd answered without a plan");
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                await output.WriteLineAsync(JsonSerializer.Serialize(plan, CliJsonContext.Default.PlanInfo)).ConfigureAwait(false);
                return ExitCodes.Ok;
            }

            await output.WriteAsync(PlanText.Render(plan)).ConfigureAwait(false);
            return ExitCodes.Ok;
        }));
        return command;
    }
}
