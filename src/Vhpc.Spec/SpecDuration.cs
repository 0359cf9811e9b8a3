using System.Globalization;

namespace Vhpc.Spec;

/// <summary>
/// Durations as a spec writes them: a whole number and one unit, <c>90s</c>, <c>5m</c>, <c>2h</c>.
/// One unit only, so that nothing reads as a different length than the writer meant (no "1m30",
/// no bare number that could be seconds or minutes).
/// </summary>
public static class SpecDuration
{
    /// <summary>Longer than any sensible duration in a spec; keeps the arithmetic far from overflow.</summary>
    public static readonly TimeSpan Max = TimeSpan.FromDays(7);

    public static bool TryParse(string text, out TimeSpan value)
    {
        ArgumentNullException.ThrowIfNull(text);
        value = default;
        if (text.Length is < 2 or > 8 || !text[..^1].All(char.IsAsciiDigit)
            || !long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        TimeSpan? parsed = text[^1] switch
        {
            's' => TimeSpan.FromSeconds(number),
            'm' => TimeSpan.FromMinutes(number),
            'h' => TimeSpan.FromHours(number),
            _ => null,
        };
        if (parsed is not { } duration || duration > Max)
        {
            return false;
        }

        value = duration;
        return true;
    }

    /// <summary>The shortest exact form: <c>5m</c> rather than <c>300s</c>.</summary>
    public static string Format(TimeSpan value) =>
        value.Ticks % TimeSpan.TicksPerHour == 0 ? string.Create(CultureInfo.InvariantCulture, $"{(long)value.TotalHours}h")
        : value.Ticks % TimeSpan.TicksPerMinute == 0 ? string.Create(CultureInfo.InvariantCulture, $"{(long)value.TotalMinutes}m")
        : string.Create(CultureInfo.InvariantCulture, $"{(long)value.TotalSeconds}s");
}
