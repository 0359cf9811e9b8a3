using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;

namespace Vhpc.Daemon.Logging;

/// <summary>
/// Builds one journal entry per log call: MESSAGE, PRIORITY, SYSLOG_IDENTIFIER, vhpcd's VHPC_* fields,
/// the named placeholder values and scope values that are simple values (strings, numbers, enums,
/// times, addresses: never arbitrary objects, whose ToString could carry anything), and the exception.
/// A value from the log call wins over a scope's; an inner scope wins over an outer one.
/// </summary>
internal sealed class JournalLogger(string category, JournalLoggerProvider provider) : ILogger
{
    private const string OriginalFormat = "{OriginalFormat}";

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => provider.ScopeProvider.Push(state);

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var message = formatter(state, exception);
        var entry = new JournalEntry();
        entry.TryAdd(JournalFields.Message, exception is null ? message : $"{message}\n{exception}");
        entry.TryAdd(JournalFields.Priority, JournalPriority.Of(logLevel).ToString(CultureInfo.InvariantCulture));
        entry.TryAdd(JournalFields.SyslogIdentifier, provider.SyslogIdentifier);
        entry.TryAdd(JournalFields.Category, category);
        if (eventId.Id != 0)
        {
            entry.TryAdd(JournalFields.EventId, eventId.Id.ToString(CultureInfo.InvariantCulture));
        }

        if (!string.IsNullOrEmpty(eventId.Name))
        {
            entry.TryAdd(JournalFields.EventName, eventId.Name);
        }

        // Scope values, outermost first, so that inner ones overwrite.
        var scoped = new Dictionary<string, string>(StringComparer.Ordinal);
        var context = new ContextValues();
        provider.ScopeProvider.ForEachScope(static (scope, state) =>
        {
            if (scope is IEnumerable<KeyValuePair<string, object?>> values)
            {
                foreach (var (key, value) in values)
                {
                    state.Context.Take(key, value);
                    if (JournalFieldName.FromPlaceholder(key) is { } name && Text(value) is { } text)
                    {
                        state.Scoped[name] = text;
                    }
                }
            }
        }, (Context: context, Scoped: scoped));

        var fromCall = new ContextValues();
        var placeholders = new List<KeyValuePair<string, string>>();
        if (state is IEnumerable<KeyValuePair<string, object?>> stateValues)
        {
            foreach (var (key, value) in stateValues)
            {
                fromCall.Take(key, value);
                if (JournalFieldName.FromPlaceholder(key) is { } name && Text(value) is { } text)
                {
                    placeholders.Add(new(name, text));
                }
            }
        }

        AddContext(entry, JournalFields.Cluster, fromCall.Cluster ?? context.Cluster);
        AddContext(entry, JournalFields.Node, fromCall.Node ?? context.Node);
        AddContext(entry, JournalFields.Step, fromCall.Step ?? context.Step);
        foreach (var (name, text) in placeholders)
        {
            entry.TryAdd(name, text);
        }

        foreach (var (name, text) in scoped)
        {
            entry.TryAdd(name, text);
        }

        if (exception is not null)
        {
            entry.TryAdd(JournalFields.Exception, exception.ToString());
            entry.TryAdd(JournalFields.ExceptionType, exception.GetType().FullName ?? exception.GetType().Name);
        }

        provider.Write(entry, logLevel, category, eventId, message);
    }

    private static void AddContext(JournalEntry entry, string field, string? value)
    {
        if (value is not null)
        {
            entry.TryAdd(field, value);
        }
    }

    /// <summary>The text of a simple value, or null for anything else (objects, collections, null).</summary>
    internal static string? Text(object? value) => value switch
    {
        null => null,
        string s => s,
        bool b => b ? "true" : "false",
        char c => c.ToString(),
        Enum e => e.ToString(),
        TimeSpan t => t.ToString("c", CultureInfo.InvariantCulture),
        DateTime d => d.ToString("O", CultureInfo.InvariantCulture),
        DateTimeOffset d => d.ToString("O", CultureInfo.InvariantCulture),
        Guid g => g.ToString("D"),
        IPAddress a => a.ToString(),
        Uri u => u.OriginalString,
        decimal m => m.ToString(CultureInfo.InvariantCulture),
        IFormattable f when value.GetType().IsPrimitive => f.ToString(null, CultureInfo.InvariantCulture),
        _ => null,
    };

    /// <summary>Cluster, node and step as placeholders or scopes name them ("-" and "" mean none).</summary>
    private sealed class ContextValues
    {
        public string? Cluster { get; private set; }

        public string? Node { get; private set; }

        public string? Step { get; private set; }

        public void Take(string key, object? value)
        {
            if (key == OriginalFormat || value is not (string or Enum) || value.ToString() is not { Length: > 0 } text || text == "-")
            {
                return;
            }

            if (key.Equals("Cluster", StringComparison.OrdinalIgnoreCase))
            {
                Cluster = text;
            }
            else if (key.Equals("Node", StringComparison.OrdinalIgnoreCase))
            {
                Node = text;
            }
            else if (key.Equals("Step", StringComparison.OrdinalIgnoreCase))
            {
                Step = text.ToLowerInvariant();
            }
        }
    }
}
