using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace Vhpc.Engine.Settings;

/// <summary>
/// An inclusive range for a <see cref="TimeSpan"/> setting, written as in vhpcd.json ("00:00:01",
/// "1.00:00:00"). It does what <c>[Range(typeof(TimeSpan), min, max)]</c> did, with the same message
/// ("The field X must be between 00:00:01 and 1.00:00:00."), but without RangeAttribute's
/// TypeConverter lookup, which reflection-based conversion makes unsafe for trimming and Native AOT.
/// The options validation source generator ([OptionsValidator]) calls it like any other attribute.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter, AllowMultiple = false)]
public sealed class TimeSpanRangeAttribute : ValidationAttribute
{
    // RangeAttribute's own default message, so a setting's error reads as it always has.
    private const string DefaultMessage = "The field {0} must be between {1} and {2}.";

    /// <param name="minimum">The smallest allowed value, in TimeSpan's invariant format ("[d.]hh:mm:ss[.fffffff]").</param>
    /// <param name="maximum">The largest allowed value, in the same format.</param>
    public TimeSpanRangeAttribute(string minimum, string maximum)
        : base(DefaultMessage)
    {
        Minimum = Parse(minimum, nameof(minimum));
        Maximum = Parse(maximum, nameof(maximum));
        if (Minimum > Maximum)
        {
            throw new ArgumentOutOfRangeException(nameof(maximum), maximum, $"the maximum must not be below the minimum ({minimum})");
        }
    }

    public TimeSpan Minimum { get; }

    public TimeSpan Maximum { get; }

    /// <summary>
    /// As RangeAttribute: no value (null or "") passes, [Required] says whether one is needed; a
    /// TimeSpan or a string that parses as one must lie within the range; anything else fails.
    /// </summary>
    public override bool IsValid(object? value) => value switch
    {
        null or string { Length: 0 } => true,
        TimeSpan span => span >= Minimum && span <= Maximum,
        string text => TimeSpan.TryParse(text, CultureInfo.CurrentCulture, out var parsed) && parsed >= Minimum && parsed <= Maximum,
        _ => false,
    };

    public override string FormatErrorMessage(string name) =>
        string.Format(CultureInfo.CurrentCulture, ErrorMessageString, name, Minimum, Maximum);

    private static TimeSpan Parse(string value, string parameter)
    {
        ArgumentNullException.ThrowIfNull(value, parameter);
        return TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var parsed)
            ? parsed
            : throw new ArgumentException($"'{value}' is not a TimeSpan", parameter);
    }
}
