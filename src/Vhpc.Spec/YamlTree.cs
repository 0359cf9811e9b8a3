namespace Vhpc.Spec;

/// <summary>
/// The small YAML tree the spec binder reads: only what a spec may contain (mappings, sequences,
/// scalars), each with its position. Anchors, aliases and tags never reach it (see YamlTreeReader).
/// </summary>
internal abstract record YamlNode(SourceMark Mark);

internal sealed record YamlScalar(SourceMark Mark, string Value, bool IsPlain) : YamlNode(Mark)
{
    /// <summary>YAML's null spellings, only when written plain (a quoted "null" is a string).</summary>
    public bool IsNull => IsPlain && Value is "" or "~" or "null" or "Null" or "NULL";
}

internal sealed record YamlMapping(SourceMark Mark, IReadOnlyList<KeyValuePair<YamlScalar, YamlNode>> Entries) : YamlNode(Mark);

internal sealed record YamlSequence(SourceMark Mark, IReadOnlyList<YamlNode> Items) : YamlNode(Mark);
