using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace Vhpc.Spec;

/// <summary>
/// Reads a cluster spec from YAML and reports every problem at once as
/// <c>file:line:column: field.path: reason</c>. Before YAML is parsed at all the input must be at
/// most <see cref="MaxFileBytes"/> and valid UTF-8; the YAML itself may not use anchors, aliases,
/// tags, duplicate keys, or deep nesting (see <see cref="YamlTreeReader"/>). Unknown keys are errors,
/// then <see cref="ClusterSpecValidator"/> checks the meaning of every field.
/// </summary>
public static class ClusterSpecLoader
{
    public const int MaxFileBytes = 1024 * 1024;

    /// <summary>Loads a spec file; a missing or unreadable file is reported like any other error.</summary>
    public static SpecLoadResult LoadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            using var file = File.OpenRead(path);
            if (file.Length > MaxFileBytes)
            {
                return Fail(path, new SourceMark(1, 1), $"the file is {file.Length} bytes; a spec may be at most {MaxFileBytes}");
            }

            var bytes = new byte[file.Length];
            file.ReadExactly(bytes);
            return Load(bytes, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Fail(path, new SourceMark(1, 1), $"cannot read the file: {e.Message}");
        }
    }

    /// <summary>Loads a spec from raw bytes (what the CLI sends); <paramref name="source"/> names it in errors.</summary>
    public static SpecLoadResult Load(ReadOnlySpan<byte> content, string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (content.Length > MaxFileBytes)
        {
            return Fail(source, new SourceMark(1, 1), $"the spec is {content.Length} bytes; it may be at most {MaxFileBytes}");
        }

        if (content.StartsWith("\uFEFF"u8))
        {
            content = content[3..];
        }

        var chars = new char[content.Length];
        var status = Utf8.ToUtf16(content, chars, out var read, out var written, replaceInvalidSequences: false);
        if (status != System.Buffers.OperationStatus.Done)
        {
            return Fail(source, MarkAt(content[..read]), $"the file is not valid UTF-8 (invalid byte 0x{content[read]:X2} at offset {read})");
        }

        return Parse(new string(chars, 0, written), source);
    }

    /// <summary>Loads a spec from text.</summary>
    public static SpecLoadResult Parse(string yaml, string source)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(source);
        if (Encoding.UTF8.GetByteCount(yaml) > MaxFileBytes)
        {
            return Fail(source, new SourceMark(1, 1), $"the spec may be at most {MaxFileBytes} bytes");
        }

        var readErrors = new List<YamlTreeReader.SpecViolationAt>();
        var root = YamlTreeReader.Read(yaml, readErrors);
        var binder = new SpecBinder(readErrors);
        var spec = root is null ? null : binder.BindRoot(root, source);
        var errors = binder.Errors;
        if (spec is not null)
        {
            var boundPaths = errors.Select(e => e.Path).ToHashSet(StringComparer.Ordinal);
            var violations = ClusterSpecValidator.Validate(spec);
            if (violations.Any(v => v.Path == "name"))
            {
                boundPaths.UnionWith(binder.DerivedFromName);
            }

            foreach (var violation in violations)
            {
                if (!boundPaths.Any(p => violation.Path == p || violation.Path.StartsWith(p + ".", StringComparison.Ordinal)))
                {
                    errors.Add(new YamlTreeReader.SpecViolationAt(binder.MarkOf(violation.Path), violation.Path, violation.Reason));
                }
            }
        }

        var result = errors
            .OrderBy(e => e.Mark.Line).ThenBy(e => e.Mark.Column).ThenBy(e => e.Path, StringComparer.Ordinal)
            .Select(e => new SpecError(source, e.Mark, e.Path, e.Reason))
            .ToList();
        return result.Count == 0 && spec is not null ? new SpecLoadResult(Normalize(spec), []) : new SpecLoadResult(null, result);
    }

    /// <summary>Canonical spellings, so equal specs hash equally (sha256 in lowercase).</summary>
    private static ClusterSpec Normalize(ClusterSpec spec) =>
        spec with { Image = spec.Image with { Sha256 = spec.Image.Sha256?.ToLowerInvariant() } };

    private static SpecLoadResult Fail(string source, SourceMark mark, string reason) =>
        new(null, [new SpecError(source, mark, "", reason)]);

    /// <summary>Line and column (in characters) of the end of <paramref name="prefix"/>.</summary>
    private static SourceMark MarkAt(ReadOnlySpan<byte> prefix)
    {
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < prefix.Length; i++)
        {
            if (prefix[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }

        var column = Encoding.UTF8.GetCharCount(prefix[lineStart..]) + 1;
        return new SourceMark(line, column);
    }

    internal static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
