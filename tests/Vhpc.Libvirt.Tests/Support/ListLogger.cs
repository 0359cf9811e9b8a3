using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Vhpc.Libvirt.Tests.Support;

/// <summary>Records log entries (event id and formatted message) so tests can wait for them.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    internal ConcurrentQueue<(int EventId, string Message)> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue((eventId.Id, formatter(state, exception)));

    internal int Count(int eventId) => Entries.Count(e => e.EventId == eventId);

    internal async Task WaitFor(int eventId, int atLeast, TimeSpan patience)
    {
        DateTime deadline = DateTime.UtcNow + patience;
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
}
