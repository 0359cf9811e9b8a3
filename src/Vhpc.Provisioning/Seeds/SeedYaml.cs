using System.Text;
using Vhpc.Spec;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Vhpc.Provisioning.Seeds;

/// <summary>
/// Builds YAML through YamlDotNet's node model with every string double-quoted, so no value (one with
/// <c>:</c>, <c>#</c>, quotes, a newline, or a word YAML 1.1 reads as a boolean or number, like
/// <c>yes</c> or <c>0123</c>) can change the document's structure or its types under cloud-init's
/// PyYAML. Booleans and numbers are written plain on purpose.
/// </summary>
internal static class SeedYaml
{
    public static YamlScalarNode String(string value) => new(value) { Style = ScalarStyle.DoubleQuoted };

    public static YamlScalarNode Boolean(bool value) => new(value ? "true" : "false") { Style = ScalarStyle.Plain };

    public static YamlScalarNode Integer(int value) =>
        new(value.ToString(System.Globalization.CultureInfo.InvariantCulture)) { Style = ScalarStyle.Plain };

    public static YamlSequenceNode Strings(IEnumerable<string> values) => new(values.Select(String));

    public static YamlMappingNode Mapping(params (string Key, YamlNode Value)[] entries)
    {
        var mapping = new YamlMappingNode();
        foreach ((var key, var value) in entries)
        {
            mapping.Add(new YamlScalarNode(key) { Style = ScalarStyle.Plain }, value);
        }

        return mapping;
    }

    /// <summary>UTF-8 (no BOM), LF line ends, an optional first line such as <c>#cloud-config</c>.</summary>
    public static byte[] ToBytes(YamlNode root, string? headerLine = null)
    {
        var text = new StringBuilder();
        if (headerLine is not null)
        {
            text.Append(headerLine).Append('\n');
        }

        using (var writer = new StringWriter(text, System.Globalization.CultureInfo.InvariantCulture) { NewLine = "\n" })
        {
            var stream = new YamlStream(new YamlDocument(root));
            stream.Save(writer, assignAnchors: false);
        }

        // YamlDotNet ends a document with "...": cloud-init's #cloud-config detection only needs the
        // first line, but keep the output plain.
        var yaml = text.ToString().Replace("\n...\n", "\n", StringComparison.Ordinal);
        return new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(yaml);
    }
}
