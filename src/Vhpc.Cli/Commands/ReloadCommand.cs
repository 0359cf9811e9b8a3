using System.CommandLine;
using System.Globalization;
using Vhpc.Control.Protocol;

namespace Vhpc.Cli.Commands;

/// <summary>
/// `vhpc reload`: vhpcd re-reads its cluster files and answers once that is done. It is the unit's
/// ExecReload, so `systemctl reload vhpcd` returns after the reload, and fails when a file is invalid.
/// </summary>
internal static class ReloadCommand
{
    public static Command Create()
    {
        var command = new Command("reload", "Make vhpcd re-read its cluster files now and wait until it has; exit 2 if a file is invalid");
        command.SetAction((parse, ct) => CommandRunner.RunAsync(parse, async client =>
        {
            var result = CommandRunner.Expect(await client.RequestAsync(new ControlRequest(ControlCommand.Reload), null, ct).ConfigureAwait(false));
            var clusters = result.Clusters ?? [];
            var invalid = clusters.Where(c => c.Errors.Count > 0).ToList();
            var loaded = clusters.Count(c => c.Loaded);
            await parse.InvocationConfiguration.Output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"reloaded: {loaded} cluster{(loaded == 1 ? "" : "s")} loaded, {invalid.Count} file{(invalid.Count == 1 ? "" : "s")} with errors")).ConfigureAwait(false);
            var error = parse.InvocationConfiguration.Error;
            foreach (var file in invalid)
            {
                var kept = file.Loaded ? " (its previous version stays loaded)" : "";
                await error.WriteLineAsync($"vhpc: {file.File}{kept}:").ConfigureAwait(false);
                foreach (var line in file.Errors)
                {
                    await error.WriteLineAsync($"  {line}").ConfigureAwait(false);
                }
            }

            return invalid.Count == 0 ? ExitCodes.Ok : ExitCodes.Usage;
        }));
        return command;
    }
}
