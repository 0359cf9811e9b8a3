using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Vhpc.Daemon.Logging;

/// <summary>
/// Writes log entries to journald through its native protocol, so that cluster, node, step, event id and
/// every simple placeholder become fields (<c>journalctl -u vhpcd VHPC_CLUSTER=hpc1 VHPC_NODE=hpc1-w-01</c>).
/// Scopes are supported: their named values become fields too. An entry journald does not take is
/// written to stderr in the systemd console format instead, so nothing is lost silently.
/// </summary>
[ProviderAlias("Journal")]
internal sealed class JournalLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private readonly JournalSocket _socket;
    private readonly TextWriter _fallback;
    private readonly object _fallbackLock = new();

    public JournalLoggerProvider(string socketPath = JournalSocket.DefaultPath, string syslogIdentifier = "vhpcd", TextWriter? fallback = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(syslogIdentifier);
        _socket = new JournalSocket(socketPath);
        SyslogIdentifier = syslogIdentifier;
        _fallback = fallback ?? Console.Error;
    }

    public string SyslogIdentifier { get; }

    internal IExternalScopeProvider ScopeProvider { get; private set; } = new LoggerExternalScopeProvider();

    public ILogger CreateLogger(string categoryName) => new JournalLogger(categoryName, this);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => ScopeProvider = scopeProvider;

    public void Dispose() => _socket.Dispose();

    internal void Write(JournalEntry entry, LogLevel level, string category, EventId eventId, string message)
    {
        if (_socket.TrySend(entry.Serialize()))
        {
            return;
        }

        // journald gone or refusing: the systemd console format on stderr still reaches the journal stream.
        var line = string.Create(CultureInfo.InvariantCulture,
            $"<{JournalPriority.Of(level)}>{category}[{eventId.Id}] {message.ReplaceLineEndings(" ")}");
        lock (_fallbackLock)
        {
            _fallback.WriteLine(line);
            _fallback.Flush();
        }
    }
}
