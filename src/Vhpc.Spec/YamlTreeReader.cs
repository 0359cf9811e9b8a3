using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Vhpc.Spec;

/// <summary>
/// Builds a <see cref="YamlNode"/> tree from YamlDotNet's low-level event parser, refusing what a spec never
/// needs and an attacker could use: anchors and aliases (alias bombs), tags, more than one document,
/// nesting deeper than <see cref="MaxDepth"/>, oversized scalars or node counts, and duplicate keys.
/// The event parser is not recursive, so deep input cannot overflow the stack before the bound stops it.
/// </summary>
internal sealed class YamlTreeReader
{
    /// <summary>The spec itself needs 3 levels (image.boot.kernel); a little room for clear errors.</summary>
    public const int MaxDepth = 6;

    public const int MaxScalarLength = 4096;

    public const int MaxNodes = 10_000;

    private readonly List<SpecViolationAt> _errors;
    private int _nodes;
    private SourceMark _lastMark = new(1, 1);

    private YamlTreeReader(List<SpecViolationAt> errors) => _errors = errors;

    /// <summary>A violation with its mark, before the binder knows the file name.</summary>
    internal sealed record SpecViolationAt(SourceMark Mark, string Path, string Reason);

    /// <summary>The document's root, or null when the document is unusable (errors say why).</summary>
    public static YamlNode? Read(string text, List<SpecViolationAt> errors)
    {
        var reader = new YamlTreeReader(errors);
        var parser = new Parser(new StringReader(text));
        try
        {
            return reader.ReadStream(parser);
        }
        catch (StopReading)
        {
            return null;
        }
        catch (YamlException e)
        {
            errors.Add(new SpecViolationAt(ToMark(e.Start), "", "YAML syntax error: " + TrimYamlMessage(e.Message)));
            return null;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this on some malformed input (found by the hostile-spec tests).
            errors.Add(new SpecViolationAt(reader._lastMark, "", "YAML syntax error: malformed input after this position"));
            return null;
        }
    }

    private YamlNode? ReadStream(Parser parser)
    {
        Expect<StreamStart>(parser);
        if (Peek(parser) is StreamEnd end)
        {
            Fail(ToMark(end.Start), "", "the document is empty");
        }

        var start = Expect<DocumentStart>(parser);
        var root = ReadNode(parser, "", 1);
        Expect<DocumentEnd>(parser);
        if (Peek(parser) is DocumentStart second)
        {
            Fail(ToMark(second.Start), "", "more than one YAML document; a spec is exactly one");
        }

        Expect<StreamEnd>(parser);
        if (root is YamlScalar { IsNull: true })
        {
            Fail(ToMark(start.Start), "", "the document is empty");
        }

        return root;
    }

    private YamlNode ReadNode(Parser parser, string path, int depth)
    {
        var ev = Peek(parser);
        if (ev is null)
        {
            Fail(new SourceMark(1, 1), path, "unexpected end of the document");
            return null!;
        }

        var mark = ToMark(ev.Start);
        _lastMark = mark;
        parser.MoveNext();
        if (++_nodes > MaxNodes)
        {
            Fail(mark, path, $"more than {MaxNodes} YAML nodes; a spec is much smaller");
        }

        switch (ev)
        {
            case AnchorAlias:
                Fail(mark, path, "YAML aliases (*name) are not allowed in a spec");
                break;
            case NodeEvent { Anchor.IsEmpty: false }:
                Fail(mark, path, "YAML anchors (&name) are not allowed in a spec");
                break;
            case NodeEvent { Tag.IsEmpty: false } tagged when !tagged.Tag.IsNonSpecific:
                Fail(mark, path, $"YAML tags ({tagged.Tag.Value}) are not allowed in a spec");
                break;
        }

        if (depth > MaxDepth && ev is MappingStart or SequenceStart)
        {
            Fail(mark, path, $"nested deeper than {MaxDepth} levels; a spec is at most 3 deep");
        }

        switch (ev)
        {
            case Scalar scalar:
                if (scalar.Value.Length > MaxScalarLength)
                {
                    Fail(mark, path, $"value longer than {MaxScalarLength} characters");
                }

                return new YamlScalar(mark, scalar.Value, scalar.Style == ScalarStyle.Plain);

            case MappingStart:
                return ReadMapping(parser, mark, path, depth);

            case SequenceStart:
                var items = new List<YamlNode>();
                var index = 0;
                while (Peek(parser) is not SequenceEnd)
                {
                    items.Add(ReadNode(parser, $"{path}[{index++}]", depth + 1));
                }

                parser.MoveNext();
                return new YamlSequence(mark, items);

            default:
                Fail(mark, path, $"unexpected YAML event {ev.GetType().Name}");
                return null!;
        }
    }

    private YamlMapping ReadMapping(Parser parser, SourceMark mark, string path, int depth)
    {
        var entries = new List<KeyValuePair<YamlScalar, YamlNode>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (Peek(parser) is not MappingEnd)
        {
            var keyNode = ReadNode(parser, path, depth + 1);
            if (keyNode is not YamlScalar key)
            {
                Fail(keyNode.Mark, path, "mapping keys must be plain names");
                return null!;
            }

            var childPath = path.Length == 0 ? key.Value : $"{path}.{key.Value}";
            var value = ReadNode(parser, childPath, depth + 1);
            if (!seen.Add(key.Value))
            {
                _errors.Add(new SpecViolationAt(key.Mark, childPath, "duplicate key"));
                continue;
            }

            entries.Add(new KeyValuePair<YamlScalar, YamlNode>(key, value));
        }

        parser.MoveNext();
        return new YamlMapping(mark, entries);
    }

    /// <summary>The next event without consuming it (YamlDotNet's Current is the lookahead).</summary>
    private static ParsingEvent? Peek(Parser parser) =>
        parser.Accept<ParsingEvent>(out var ev) ? ev : null;

    private T Expect<T>(Parser parser)
        where T : ParsingEvent
    {
        var next = Peek(parser);
        if (next is not T ev)
        {
            var at = next is not null ? ToMark(next.Start) : new SourceMark(1, 1);
            Fail(at, "", $"unexpected YAML structure (expected {typeof(T).Name})");
            return null!;
        }

        parser.MoveNext();
        return ev;
    }

    private void Fail(SourceMark mark, string path, string reason)
    {
        _errors.Add(new SpecViolationAt(mark, path, reason));
        throw new StopReading();
    }

    private static SourceMark ToMark(Mark mark) =>
        new((int)Math.Clamp(mark.Line, 1, int.MaxValue), (int)Math.Clamp(mark.Column, 1, int.MaxValue));

    /// <summary>YamlDotNet prefixes its own (line, column) to messages; the error line already has it.</summary>
    private static string TrimYamlMessage(string message)
    {
        var close = message.IndexOf("): ", StringComparison.Ordinal);
        return message.StartsWith('(') && close > 0 ? message[(close + 3)..] : message;
    }

    /// <summary>Unwinds the reader after an error that leaves no usable tree.</summary>
    private sealed class StopReading : Exception
    {
    }
}
