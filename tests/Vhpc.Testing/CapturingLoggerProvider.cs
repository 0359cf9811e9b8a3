using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Vhpc.Testing;

/// <summary>
/// Keeps every entry every logger of a factory or host writes, for assertions (what was, and what was
/// never, logged); optionally also writes them to the test's output.
/// </summary>
public sealed class CapturingLoggerProvider(ITestOutputHelper? output = null, LogLevel minimum = LogLevel.Trace) : ILoggerProvider
{
    private readonly DateTime _started = DateTime.UtcNow;

    public ConcurrentQueue<LogEntry> Entries { get; } = new();

    public IEnumerable<string> Lines => Entries.Select(e => e.Line);

    public string Text => string.Join('\n', Entries.Select(e => $"{e.Level} [{e.EventId}] {e.Message}"));

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

    public void Dispose()
    {
    }

    internal void Add(LogEntry entry)
    {
        if (entry.Level < minimum)
        {
            return;
        }

        Entries.Enqueue(entry);
        if (output is not null)
        {
            try
            {
                var category = entry.Category[(entry.Category.LastIndexOf('.') + 1)..];
                output.WriteLine($"{(DateTime.UtcNow - _started).TotalSeconds,7:F2} {category}[{entry.EventId}] {entry.Message}"
                    + (entry.Exception is null ? string.Empty : $" ({entry.Exception.GetType().Name}: {entry.Exception.Message})"));
            }
            catch (InvalidOperationException)
            {
                // A background continuation logging after the test ended.
            }
        }
    }

    private sealed class CapturingLogger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= owner.MinimumLevel;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Add(ListLogger.Entry(category, logLevel, eventId, state, exception, formatter, messageWithException: false));
    }

    private LogLevel MinimumLevel => minimum;
}
