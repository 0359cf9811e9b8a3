namespace Vhpc.Daemon.Logging;

/// <summary>Where vhpcd's log goes (setting Vhpcd:LogTarget, --log-target, VHPC_LOG_TARGET).</summary>
internal static class LogTarget
{
    /// <summary>The journal's native protocol when stderr is the journal stream, else the console.</summary>
    public const string Auto = "auto";

    /// <summary>Always the native protocol (entries journald refuses still go to stderr).</summary>
    public const string Journal = "journal";

    /// <summary>Always stderr/stdout through the console logger (systemd format under systemd).</summary>
    public const string Console = "console";

    public const string Pattern = "^(auto|journal|console)$";

    /// <summary>
    /// The target to use: an explicit journal or console wins; auto (or anything unrecognised, which option
    /// validation then reports) means journal exactly when stderr is the journal stream.
    /// </summary>
    public static string Resolve(string? configured, string? journalStream, Func<string?, bool> isStandardErrorJournal) =>
        Choose(configured, journalStream, isStandardErrorJournal).Target;

    /// <summary><see cref="Resolve"/> with the reason, for the start-up log line.</summary>
    internal static LogTargetChoice Choose(string? configured, string? journalStream, Func<string?, bool> isStandardErrorJournal)
    {
        ArgumentNullException.ThrowIfNull(isStandardErrorJournal);
        return configured switch
        {
            Journal => new(Journal, "forced by the log target setting"),
            Console => new(Console, "forced by the log target setting"),
            _ when journalStream is null => new(Console, "JOURNAL_STREAM is not set"),
            _ when isStandardErrorJournal(journalStream) => new(Journal, "stderr is the journal stream JOURNAL_STREAM names"),
            _ => new(Console, "stderr is not the journal stream JOURNAL_STREAM names"),
        };
    }
}

/// <summary>The log target vhpcd chose at start, and why.</summary>
internal sealed record LogTargetChoice(string Target, string Reason);
