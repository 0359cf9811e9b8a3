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

            if (plan.Actions.Count == 0)
            {
                await output.WriteLineAsync($"cluster {plan.Cluster}: up to date, nothing to do").ConfigureAwait(false);
                return ExitCodes.Ok;
            }

            await output.WriteLineAsync($"cluster {plan.Cluster}: {plan.Actions.Count} actions").ConfigureAwait(false);
            await output.WriteAsync(TextTable.Render(
                ["#", "ACTION", "OBJECT", "NAME", "REASON"],
                plan.Actions.Select((a, i) => (IReadOnlyList<string>)
                    [(i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), a.Kind, a.Target, a.Name, a.Reason]))).ConfigureAwait(false);
            return ExitCodes.Ok;
        }));
        return command;
    }
}
