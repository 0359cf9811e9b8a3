using System.CommandLine;
using Vhpc.Spec;

namespace Vhpc.Cli.Commands;

/// <summary>Checks a cluster file locally (no daemon): every error as file:line:col: path: reason.</summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var file = new Option<string>("--file", "-f") { Description = "Cluster file (YAML)", Required = true, HelpName = "FILE" };
        var command = new Command("validate", "Check a cluster file and print every error (works without vhpcd)") { file };
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(file)!;
            var result = ClusterSpecLoader.LoadFile(path);
            if (!result.IsValid)
            {
                foreach (var error in result.Errors)
                {
                    await parse.InvocationConfiguration.Error.WriteLineAsync(error.ToString()).ConfigureAwait(false);
                }

                await parse.InvocationConfiguration.Error.WriteLineAsync(
                    $"vhpc: {path}: {result.Errors.Count} error{(result.Errors.Count == 1 ? "" : "s")}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var spec = result.Spec!;
            await parse.InvocationConfiguration.Output.WriteLineAsync(
                $"{path}: cluster {spec.Name} is valid ({spec.Management.Count} management, {spec.Workers.Count} workers, {spec.LibvirtUris})").ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}
