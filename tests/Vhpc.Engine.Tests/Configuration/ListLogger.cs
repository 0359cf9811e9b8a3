using Microsoft.Extensions.Logging;

namespace Vhpc.Engine.Tests.Configuration;

/// <summary>Keeps every log entry (id, level, rendered message) for assertions.</summary>
internal sealed class ListLogger : ILogger
{
    private readonly List<(EventId Id, LogLevel Level, string Message)> _entries = [];

    public IReadOnlyList<(EventId Id, LogLevel Level, string Message)> Entries
    {
        get
        {
            lock (_entries)
                return _entries.ToList();
        }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_entries)
            _entries.Add((eventId, logLevel, formatter(state, exception)));
    }
}
