namespace Vhpc.Spec;

/// <summary>
/// The character-level rules shared by the validator. Each returns null when the value is fine, or
/// the reason it is not. Names and paths are whitelisted rather than blacklisted: whatever an
/// attacker invents (XML metacharacters, control characters, Unicode look-alikes) is simply not allowed.
/// </summary>
internal static class SpecRules
{
    public const int MaxPathLength = 1024;

    /// <summary>RFC 1123 label, lowercase: letters, digits, '-', not at either end, 1..maxLength.</summary>
    public static string? Label(string value, int maxLength = 63)
    {
        if (value.Length == 0)
        {
            return "must not be empty";
        }

        if (value.Length > maxLength)
        {
            return $"must be at most {maxLength} characters (is {value.Length})";
        }

        if (!value.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            return $"'{Show(value)}' is not an RFC 1123 label (lowercase letters, digits and '-' only)";
        }

        return value[0] == '-' || value[^1] == '-'
            ? $"'{Show(value)}' is not an RFC 1123 label (must not start or end with '-')"
            : null;
    }

    /// <summary>A DNS name: dot-separated RFC 1123 labels, at most <paramref name="maxLength"/> characters.</summary>
    public static string? DnsName(string value, int maxLength = 253)
    {
        if (value.Length == 0)
        {
            return "must not be empty";
        }

        if (value.Length > maxLength)
        {
            return $"must be at most {maxLength} characters (is {value.Length})";
        }

        foreach (var label in value.Split('.'))
        {
            if (Label(label) is { } reason)
            {
                return $"'{Show(value)}' is not a DNS name: label '{Show(label)}' {reason.Replace($"'{Show(label)}' ", "", StringComparison.Ordinal)}";
            }
        }

        return null;
    }

    /// <summary>
    /// An absolute, normalized path: starts with '/', no empty, '.' or '..' segments (no traversal),
    /// no trailing '/', and only letters, digits and <c>._-+@:,=~</c> in segments.
    /// </summary>
    public static string? AbsolutePath(string value)
    {
        if (value.Length == 0)
        {
            return "must not be empty";
        }

        if (value.Length > MaxPathLength)
        {
            return $"must be at most {MaxPathLength} characters (is {value.Length})";
        }

        if (FirstBad(value, IsPathChar) is { } bad)
        {
            return $"contains a character not allowed in a path ({Describe(bad)}); allowed: letters, digits and /._-+@:,=~";
        }

        if (value[0] != '/')
        {
            return $"'{value}' must be an absolute path";
        }

        if (value.Length > 1 && value[^1] == '/')
        {
            return $"'{value}' must not end with '/'";
        }

        foreach (var segment in value[1..].Split('/'))
        {
            if (segment.Length == 0)
            {
                return $"'{value}' must not contain empty segments ('//')";
            }

            if (segment is "." or "..")
            {
                return $"'{value}' must be normalized (no '.' or '..' segments)";
            }
        }

        return null;
    }

    /// <summary>An absolute http(s) URL with a host, no whitespace or control characters, no credentials.</summary>
    public static string? HttpUrl(string value)
    {
        if (value.Length > MaxPathLength)
        {
            return $"must be at most {MaxPathLength} characters (is {value.Length})";
        }

        if (FirstBad(value, IsUrlChar) is { } bad)
        {
            return $"contains a character not allowed in a URL ({Describe(bad)})";
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || uri.Host.Length == 0)
        {
            return $"'{value}' is not an http(s) URL";
        }

        if (uri.UserInfo.Length > 0)
        {
            return "must not contain credentials (user:password@)";
        }

        // Uri normalizes "a/../b" away, so look at what was written.
        var path = value[(value.IndexOf("://", StringComparison.Ordinal) + 3)..];
        return path.Split('?', '#')[0].Split('/').Any(s => s is "." or ".." or "%2e%2e" or "%2E%2E")
            ? "must not contain '.' or '..' path segments"
            : null;
    }

    /// <summary>Printable ASCII without the XML metacharacters; for free text like a kernel command line.</summary>
    public static string? PlainText(string value, int maxLength)
    {
        if (value.Length > maxLength)
        {
            return $"must be at most {maxLength} characters (is {value.Length})";
        }

        return FirstBad(value, c => c is >= ' ' and <= '~' and not '<' and not '>' and not '&') is { } bad
            ? $"contains a character not allowed here ({Describe(bad)}); printable ASCII without < > & only"
            : null;
    }

    /// <summary>The first character <paramref name="allowed"/> rejects, or null.</summary>
    public static char? FirstBad(string value, Func<char, bool> allowed)
    {
        foreach (var c in value)
        {
            if (!allowed(c))
            {
                return c;
            }
        }

        return null;
    }

    public static bool IsPathChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or '+' or '@' or ':' or ',' or '=' or '~';

    private static bool IsUrlChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or '+' or '@' or ':' or ',' or '=' or '~'
            or '?' or '%' or '#' or '!' or '$' or '(' or ')' or '*' or ';' or '[' or ']';

    /// <summary>Names a character safely for an error message (control characters as U+XXXX).</summary>
    public static string Describe(char? c) =>
        c is < ' ' or > '~' or '\'' ? $"U+{(int)c:X4}" : $"'{c}'";

    /// <summary>Echoes user input in a message without control characters or unbounded length.</summary>
    public static string Show(string value)
    {
        var safe = new string(value.Select(c => c is < ' ' or > '~' ? '?' : c).ToArray());
        return safe.Length > 64 ? safe[..64] + "..." : safe;
    }
}
