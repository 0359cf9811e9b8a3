using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Vhpc.Testing;

/// <summary>One captured log entry: its event, rendered message and named placeholder values.</summary>
public sealed record LogEntry(DateTimeOffset Time, string Category, LogLevel Level, EventId Id, string Message,
    IReadOnlyDictionary<string, object?> Values, Exception? Exception)
{
    public int EventId => Id.Id;

    /// <summary>"HH:mm:ss.fff Level Category[id] message exception", as a log file would have it.</summary>
    public string Line => string.Create(CultureInfo.InvariantCulture,
        $"{Time:HH:mm:ss.fff} {Level} {Category}[{Id.Id}] {Message}{(Exception is null ? string.Empty : " " + Exception)}");
}
