using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Vhpc.Testing;

/// <summary>A logger that keeps its entries (event, level, rendered message, placeholder values) for assertions.</summary>
public class ListLogger : ILogger
{
    public ConcurrentQueue<LogEntry> Entries { get; } = new();

    /// <summary>The named placeholder values of every entry, for checks on values rather than text.</summary>
    public IEnumerable<(EventId Id, IReadOnlyDictionary<string, object?> Values)> States => Entries.Select(e => (e.Id, e.Values));

    public string AllText => string.Join("\n", Entries.Select(e => e.Message));

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue(Entry(GetType().Name, logLevel, eventId, state, exception, formatter, messageWithException: true));

    public int Count(int eventId) => Entries.Count(e => e.EventId == eventId);

    /// <summary>Waits until event <paramref name="eventId"/> was logged at least <paramref name="atLeast"/> times.</summary>
    public async Task WaitFor(int eventId, int atLeast, TimeSpan patience)
    {
        var deadline = DateTime.UtcNow + patience;
        while (Count(eventId) < atLeast)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(
                    $"log event {eventId} not seen {atLeast} time(s) within {patience}; log:\n{string.Join("\n", Entries.Select(e => $"{e.EventId} {e.Message}"))}");
            }

            await Task.Delay(50);
        }
    }

    /// <param name="messageWithException">The exception's text at the end of <see cref="LogEntry.Message"/> too (it is always in <see cref="LogEntry.Line"/>).</param>
    internal static LogEntry Entry<TState>(string category, LogLevel level, EventId id, TState state, Exception? exception,
        Func<TState, Exception?, string> formatter, bool messageWithException) =>
        new(DateTimeOffset.UtcNow, category, level, id, formatter(state, exception) + (messageWithException && exception is not null ? " " + exception : string.Empty),
            state is IEnumerable<KeyValuePair<string, object?>> values ? values.ToDictionary(v => v.Key, v => v.Value) : new Dictionary<string, object?>(),
            exception);
}

/// <summary><see cref="ListLogger"/> for the logger a class asks for (ILogger&lt;T&gt;).</summary>
public sealed class ListLogger<T> : ListLogger, ILogger<T>;
