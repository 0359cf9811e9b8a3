using System.CommandLine;
using Vhpc.Cli.Commands;

namespace Vhpc.Cli;

internal static class CliProgram
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, TextReader input, Func<bool> hasTerminal)
    {
        var root = VhpcRootCommand.Create(hasTerminal, input);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var parseError in parse.Errors)
            {
                await error.WriteLineAsync($"vhpc: {parseError.Message}").ConfigureAwait(false);
            }

            await error.WriteLineAsync("Try 'vhpc --help'.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }).ConfigureAwait(false);
    }
}
