using Microsoft.Extensions.Logging;

namespace Vhpc.Engine.Tests.Images;

/// <summary>Keeps every log entry (event id, level, message) so tests can check what was logged.</summary>
internal sealed class CapturingLogger<T> : ILogger<T>
{
    public List<(int EventId, LogLevel Level, string Message)> Entries { get; } = [];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (Entries)
        {
            Entries.Add((eventId.Id, logLevel, formatter(state, exception)));
        }
    }
}
