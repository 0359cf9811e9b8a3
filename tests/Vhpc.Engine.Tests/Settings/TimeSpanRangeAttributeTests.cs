using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Vhpc.Ansible;
using Vhpc.Engine.Settings;
using Vhpc.Guests;
using Vhpc.Provisioning.Images;
using Vhpc.Testing;

namespace Vhpc.Engine.Tests.Settings;

/// <summary>
/// TimeSpanRange replaced [Range(typeof(TimeSpan), min, max)] on the settings (RangeAttribute converts
/// through a TypeConverter found by reflection: not trim- or AOT-safe). It must accept and refuse
/// exactly what RangeAttribute did, with the same message, for every range the product declares.
/// </summary>
[Tier(TestTier.Unit)]
public sealed class TimeSpanRangeAttributeTests
{
    /// <summary>Every TimeSpanRange on a settings property of the engine's layers, with the strings it was declared with.</summary>
    public static TheoryData<string, string, string> DeclaredRanges()
    {
        var data = new TheoryData<string, string, string>();
        var assemblies = new[] { typeof(GuestsOptions).Assembly, typeof(AnsibleRunnerOptions).Assembly, typeof(BaseImageCacheOptions).Assembly };
        foreach (var type in assemblies.SelectMany(a => a.GetTypes()))
        {
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance))
            {
                foreach (var attribute in property.CustomAttributes.Where(a => a.AttributeType == typeof(TimeSpanRangeAttribute)))
                {
                    data.Add($"{type.Name}.{property.Name}", (string)attribute.ConstructorArguments[0].Value!, (string)attribute.ConstructorArguments[1].Value!);
                }
            }
        }

        return data;
    }

    [Fact]
    public void The_engine_layers_declare_their_ranges_with_it()
    {
        // 27 in Guests, Ansible and Provisioning (the 28th, Vhpcd:LibvirtConnectTimeout, is the daemon's).
        Assert.Equal(27, DeclaredRanges().Count);
    }

    [Theory]
    [MemberData(nameof(DeclaredRanges))]
    public void Accepts_and_refuses_what_RangeAttribute_did(string property, string minimum, string maximum)
    {
        var range = new RangeAttribute(typeof(TimeSpan), minimum, maximum);
        var replacement = new TimeSpanRangeAttribute(minimum, maximum);
        var min = TimeSpan.Parse(minimum, System.Globalization.CultureInfo.InvariantCulture);
        var max = TimeSpan.Parse(maximum, System.Globalization.CultureInfo.InvariantCulture);
        object?[] values =
        [
            min, max, min - TimeSpan.FromTicks(1), max + TimeSpan.FromTicks(1), min + ((max - min) / 2),
            TimeSpan.Zero, TimeSpan.MinValue, TimeSpan.MaxValue, TimeSpan.FromDays(-1),
            null, "", minimum, maximum, "00:00:05", "99.00:00:00", "banana", 5, 5.0, DateTime.UnixEpoch,
        ];

        foreach (var value in values)
        {
            Assert.True(range.IsValid(value) == replacement.IsValid(value), $"{property} [{minimum}, {maximum}]: {value ?? "null"} ({value?.GetType().Name})");
        }

        Assert.Equal(range.FormatErrorMessage(property), replacement.FormatErrorMessage(property));
    }

    [Fact]
    public void The_message_names_the_field_and_the_limits_as_RangeAttribute_did()
    {
        var context = new ValidationContext(new object()) { DisplayName = "GuestsOptions.Ssh.Timeout", MemberName = "Timeout" };
        var expected = new RangeAttribute(typeof(TimeSpan), "00:00:01", "1.00:00:00").GetValidationResult(TimeSpan.Zero, context);

        var actual = new TimeSpanRangeAttribute("00:00:01", "1.00:00:00").GetValidationResult(TimeSpan.Zero, context);

        Assert.NotNull(actual);
        Assert.Equal("The field GuestsOptions.Ssh.Timeout must be between 00:00:01 and 1.00:00:00.", actual.ErrorMessage);
        Assert.Equal(expected!.ErrorMessage, actual.ErrorMessage);
        Assert.Equal(expected.MemberNames, actual.MemberNames);
        // The limits print as TimeSpans, as RangeAttribute printed its converted limits.
        Assert.Equal("The field X must be between 00:00:00.0100000 and 01:00:00.",
            new TimeSpanRangeAttribute("00:00:00.010", "01:00:00").FormatErrorMessage("X"));
    }

    [Fact]
    public void A_custom_message_is_used_as_RangeAttribute_used_it()
    {
        var replacement = new TimeSpanRangeAttribute("00:00:01", "00:01:00") { ErrorMessage = "{0}: {1}..{2}" };

        Assert.Equal("T: 00:00:01..00:01:00", replacement.FormatErrorMessage("T"));
    }

    [Theory]
    [InlineData("banana", "00:00:01", "minimum")]
    [InlineData("00:00:01", "soon", "maximum")]
    [InlineData("00:01:00", "00:00:01", "maximum")]
    public void Limits_that_are_not_a_range_are_refused_naming_the_limit(string minimum, string maximum, string parameter)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => new TimeSpanRangeAttribute(minimum, maximum));
        Assert.Equal(parameter, ex.ParamName);
    }
}
