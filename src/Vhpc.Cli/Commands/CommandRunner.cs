using System.CommandLine;
using Vhpc.Control.Client;
using Vhpc.Control.Protocol;

namespace Vhpc.Cli.Commands;

/// <summary>
/// Runs a command body and turns every failure into one line on stderr and a meaningful exit code;
/// stack traces and daemon-side details only with --verbose.
/// </summary>
internal static class CommandRunner
{
    public static async Task<int> RunAsync(ParseResult parse, Func<ControlClient, Task<int>> body)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(body);
        var output = parse.InvocationConfiguration.Error;
        var verbose = parse.GetValue(GlobalOptions.Verbose);
        try
        {
            var client = new ControlClient(parse.GetValue(GlobalOptions.Socket)!);
            return await body(client).ConfigureAwait(false);
        }
        catch (CliFailureException ex)
        {
            await output.WriteLineAsync($"vhpc: {ex.Message}").ConfigureAwait(false);
            if (verbose && ex.Detail is not null)
            {
                await output.WriteLineAsync(ex.Detail).ConfigureAwait(false);
            }

            return ex.ExitCode;
        }
        catch (DaemonUnreachableException ex)
        {
            await output.WriteLineAsync($"vhpc: {ex.Message}").ConfigureAwait(false);
            if (verbose)
            {
                await output.WriteLineAsync(ex.InnerException?.ToString() ?? ex.ToString()).ConfigureAwait(false);
            }

            return ex.PermissionDenied ? ExitCodes.PermissionDenied : ExitCodes.DaemonUnreachable;
        }
        catch (OperationCanceledException)
        {
            await output.WriteLineAsync("vhpc: interrupted").ConfigureAwait(false);
            return ExitCodes.Interrupted;
        }
#pragma warning disable CA1031 // The CLI's last line of defence: one readable line instead of a stack trace.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            await output.WriteLineAsync($"vhpc: {ex.Message}").ConfigureAwait(false);
            if (verbose)
            {
                await output.WriteLineAsync(ex.ToString()).ConfigureAwait(false);
            }

            return ExitCodes.Failed;
        }
    }

    /// <summary>The final message, or a <see cref="CliFailureException"/> when vhpcd answered with an error.</summary>
    public static ControlMessage Expect(ControlMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Kind == ControlMessageKind.Error)
        {
            var error = message.Error ?? new ControlError(ControlErrorCode.Internal, "vhpcd reported an error without details");
            throw new CliFailureException(ExitCodeOf(error.Code), error.Message, error.Detail);
        }

        return message;
    }

    public static int ExitCodeOf(ControlErrorCode code) => code switch
    {
        ControlErrorCode.BadRequest or ControlErrorCode.InvalidSpec => ExitCodes.Usage,
        ControlErrorCode.PermissionDenied => ExitCodes.PermissionDenied,
        ControlErrorCode.UnknownCluster or ControlErrorCode.UnknownNode => ExitCodes.NotFound,
        ControlErrorCode.ShuttingDown => ExitCodes.DaemonStopping,
        _ => ExitCodes.Failed,
    };
}
