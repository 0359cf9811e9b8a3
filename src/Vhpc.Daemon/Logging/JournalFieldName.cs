namespace Vhpc.Daemon.Logging;

/// <summary>
/// Journal field names: A-Z, 0-9 and _, not starting with _ (journald's trusted fields) or a digit,
/// at most 64 characters. Placeholder names are upper-cased and other characters mapped to _; a name
/// that is still invalid, or that would shadow a field with a meaning of its own, is dropped.
/// </summary>
internal static class JournalFieldName
{
    public const int MaxLength = 64;

    /// <summary>Fields the journal or this provider give a meaning; a placeholder must not set them.</summary>
    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
    {
        "MESSAGE", "MESSAGE_ID", "PRIORITY", "CODE_FILE", "CODE_LINE", "CODE_FUNC", "ERRNO", "DOCUMENTATION",
        "INVOCATION_ID", "USER_INVOCATION_ID", "SYSLOG_FACILITY", "SYSLOG_IDENTIFIER", "SYSLOG_PID",
        "SYSLOG_TIMESTAMP", "SYSLOG_RAW", "TID", "UNIT", "USER_UNIT", "OBJECT_PID",
        JournalFields.Exception, JournalFields.ExceptionType,
    };

    public static bool IsValid(string name) =>
        name.Length is > 0 and <= MaxLength
        && name[0] is not '_' && !char.IsAsciiDigit(name[0])
        && name.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) || c == '_');

    /// <summary>The field for a placeholder or scope value named <paramref name="name"/>, or null when it gets none.</summary>
    public static string? FromPlaceholder(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxLength)
        {
            return null;
        }

        var mapped = string.Create(name.Length, name, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                var c = source[i];
                span[i] = char.IsAsciiLetterLower(c) ? char.ToUpperInvariant(c)
                    : char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c) ? c
                    : '_';
            }
        });
        return IsValid(mapped) && !Reserved.Contains(mapped) && !mapped.StartsWith(JournalFields.Prefix, StringComparison.Ordinal)
            ? mapped
            : null;
    }
}
