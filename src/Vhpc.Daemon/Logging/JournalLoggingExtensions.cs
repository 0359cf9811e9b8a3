using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Vhpc.Daemon.Logging;

internal static class JournalLoggingExtensions
{
    /// <summary>
    /// Chooses vhpcd's log target (<see cref="LogTarget"/>). For the journal, the console logger is
    /// replaced by <see cref="JournalLoggerProvider"/>; otherwise the console logger AddSystemd()
    /// configured stays as it is. Returns the target chosen.
    /// </summary>
    /// <param name="logTarget">The configured target (auto, journal, console), null for auto.</param>
    /// <param name="journalSocket">journald's native socket, null for <see cref="JournalSocket.DefaultPath"/>.</param>
    public static string AddVhpcdLogging(this HostApplicationBuilder builder, Func<string, string?> environment,
        string? logTarget, string? journalSocket, Func<string?, bool>? isStandardErrorJournal = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(environment);
        isStandardErrorJournal ??= stream => JournalStream.Matches(stream, JournalStream.StandardError);
        var choice = LogTarget.Choose(logTarget, environment(JournalStream.Variable), isStandardErrorJournal);
        var target = choice.Target;
        builder.Services.AddSingleton(choice);
        if (target == LogTarget.Journal)
        {
            var socketPath = journalSocket is { Length: > 0 } path ? path : JournalSocket.DefaultPath;
            var console = builder.Services
                .Where(d => d.ServiceType == typeof(ILoggerProvider) && d.ImplementationType == typeof(ConsoleLoggerProvider))
                .ToList();
            foreach (var descriptor in console)
            {
                builder.Services.Remove(descriptor);
            }

            builder.Services.AddSingleton<ILoggerProvider>(_ => new JournalLoggerProvider(socketPath));
        }

        return target;
    }
}
