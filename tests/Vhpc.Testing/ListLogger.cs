using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Vhpc.Engine.Tests.Guests;

/// <summary>Captures formatted log lines so tests can check what is (and is not) logged.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    public ConcurrentQueue<(EventId Id, LogLevel Level, string Message)> Entries { get; } = new();

    /// <summary>The named placeholders of every entry, for checks on values rather than text.</summary>
    public ConcurrentQueue<(EventId Id, IReadOnlyDictionary<string, object?> Values)> States { get; } = new();

    public string AllText => string.Join("\n", Entries.Select(e => e.Message));

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        Entries.Enqueue((eventId, logLevel, formatter(state, exception) + (exception is null ? string.Empty : " " + exception)));
        if (state is IEnumerable<KeyValuePair<string, object?>> values)
        {
            States.Enqueue((eventId, values.ToDictionary(v => v.Key, v => v.Value)));
        }
    }
}
