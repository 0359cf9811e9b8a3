using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Vhpc.Engine.Tests.Faults.Support;

/// <summary>Writes log entries to the test's output and keeps them (with event ids) for assertions.</summary>
internal sealed class TestOutputLoggerProvider(ITestOutputHelper output) : ILoggerProvider
{
    private readonly DateTime _started = DateTime.UtcNow;

    public ConcurrentQueue<(int EventId, string Message)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName[(categoryName.LastIndexOf('.') + 1)..]);

    public void Dispose()
    {
    }

    private void Write(string category, EventId id, string message)
    {
        Entries.Enqueue((id.Id, message));
        try
        {
            output.WriteLine($"{(DateTime.UtcNow - _started).TotalSeconds,7:F2} {category}[{id.Id}] {message}");
        }
        catch (InvalidOperationException)
        {
            // A background continuation logging after the test ended.
        }
    }

    private sealed class Logger(TestOutputLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider.Write(category, eventId, formatter(state, exception) + (exception is null ? string.Empty : $" ({exception.GetType().Name}: {exception.Message})"));
            }
        }
    }
}
