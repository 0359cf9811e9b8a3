namespace Vhpc.Daemon.Logging;

/// <summary>Where vhpcd's log goes (setting Vhpcd:LogTarget, --log-target, VHPC_LOG_TARGET).</summary>
public static class LogTarget
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
    public static string Resolve(string? configured, string? journalStream, Func<string?, bool> isStandardErrorJournal)
    {
        ArgumentNullException.ThrowIfNull(isStandardErrorJournal);
        return configured switch
        {
            Journal => Journal,
            Console => Console,
            _ => isStandardErrorJournal(journalStream) ? Journal : Console,
        };
    }
}
